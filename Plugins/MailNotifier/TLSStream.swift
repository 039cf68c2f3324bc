import CSSL

/// A TLS session over a `SocketStream`: OpenSSL encrypts into and decrypts from memory buffers, and every
/// byte crosses the socket through `SocketStream`, so each wait is bounded by the attempt's deadline and no
/// write can raise SIGPIPE.
///
/// The peer must present a certificate that chains to a trusted one and names the host (DNS name, or IP
/// address when the host is one); SNI carries the host name. Made, used and freed by the one thread that runs
/// a delivery attempt.
final class TLSStream {
    private let ssl: OpaquePointer
    /// OpenSSL reads the server's bytes from here (owned by `ssl`).
    private let incoming: OpaquePointer
    /// OpenSSL leaves bytes for the server here (owned by `ssl`).
    private let outgoing: OpaquePointer
    private let socket: SocketStream
    private var finished = false

    /// Shakes hands with the server. Throws `certificateRejected` with OpenSSL's verdict when the certificate
    /// is not trusted, `tlsFailed` for any other refusal.
    init(context: TLSContext, socket: SocketStream, host: String, hostIsIPAddress: Bool) throws {
        self.socket = socket
        let server = socket.server
        ERR_clear_error()
        guard let ssl = SSL_new(context.handle) else {
            throw MailError.tlsFailed(server: server, reason: "cannot create a TLS session: \(TLSContext.lastError())")
        }
        guard let incoming = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw MailError.tlsFailed(server: server, reason: "cannot allocate TLS buffers")
        }
        guard let outgoing = BIO_new(BIO_s_mem()) else {
            BIO_free(incoming)
            SSL_free(ssl)
            throw MailError.tlsFailed(server: server, reason: "cannot allocate TLS buffers")
        }
        SSL_set_bio(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        if hostIsIPAddress {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw MailError.tlsFailed(server: server, reason: "cannot check the certificate for \(host)")
            }
        } else {
            guard SSL_set1_host(ssl, host) == 1, zc_ssl_set_server_name(ssl, host) == 1 else {
                throw MailError.tlsFailed(server: server, reason: "cannot check the certificate for \(host)")
            }
        }
        try handshake()
    }

    deinit { SSL_free(ssl) }

    private func handshake() throws {
        while true {
            ERR_clear_error()
            let result = SSL_connect(ssl)
            let error = SSL_get_error(ssl, result)
            if result == 1 || error == SSL_ERROR_WANT_READ {
                try flush()
                if result == 1 { return }
                try fill()
                continue
            }
            // OpenSSL's alert for the server, if it takes it; the verdict below is the error either way.
            socket.sendWithoutWaiting(pending())
            let verdict = SSL_get_verify_result(ssl)
            if verdict != X509_V_OK {
                throw MailError.certificateRejected(
                    server: socket.server, reason: String(cString: X509_verify_cert_error_string(verdict)))
            }
            throw MailError.tlsFailed(server: socket.server, reason: TLSContext.lastError())
        }
    }

    /// Encrypts and sends every byte.
    func send(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let written = bytes.withUnsafeBytes { buffer in
                SSL_write(ssl, buffer.baseAddress.map { $0 + offset }, Int32(min(buffer.count - offset, 1 << 20)))
            }
            let error = SSL_get_error(ssl, written)
            try flush()
            if written > 0 {
                offset += Int(written)
            } else if error == SSL_ERROR_WANT_READ {
                try fill()
            } else {
                throw MailError.connectionLost(server: socket.server, reason: "TLS: \(TLSContext.lastError())")
            }
        }
    }

    /// The next decrypted bytes (at least one), waiting as long as the deadline allows.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            ERR_clear_error()
            let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            let error = SSL_get_error(ssl, count)
            try flush()
            if count > 0 { return Array(buffer[0..<Int(count)]) }
            switch error {
            case SSL_ERROR_WANT_READ: try fill()
            case SSL_ERROR_ZERO_RETURN:
                throw MailError.connectionLost(server: socket.server, reason: "the server closed the TLS session")
            default:
                throw MailError.connectionLost(server: socket.server, reason: "TLS: \(TLSContext.lastError())")
            }
        }
    }

    /// Sends a close_notify if the socket takes it at once; never waits, never throws.
    func shutdown() {
        guard !finished else { return }
        finished = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        socket.sendWithoutWaiting(pending())
        ERR_clear_error()
    }

    /// Sends what OpenSSL has written for the server.
    private func flush() throws {
        let bytes = pending()
        if !bytes.isEmpty { try socket.send(bytes) }
    }

    private func pending() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while BIO_ctrl_pending(outgoing) > 0 {
            let count = chunk.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { break }
            bytes += chunk[0..<Int(count)]
        }
        return bytes
    }

    /// Hands OpenSSL the server's next bytes.
    private func fill() throws {
        let bytes = try socket.receive()
        let taken = bytes.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
        guard taken == Int32(bytes.count) else {
            throw MailError.tlsFailed(server: socket.server, reason: "cannot buffer the server's bytes")
        }
    }
}
