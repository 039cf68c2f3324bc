import CSSL

/// OpenSSL's client settings for one delivery attempt: TLS 1.2 or later, the peer's certificate verified
/// against the system's trusted certificates plus `caFile`.
///
/// Made per attempt (deliveries are rare, and loading the trust store takes milliseconds) by the thread that
/// runs the attempt, and freed by it: the handle is never shared between threads.
final class TLSContext {
    let handle: OpaquePointer

    /// Throws `tlsFailed` when OpenSSL cannot be set up or `caFile` holds no usable certificate.
    init(caFile: String?, server: String) throws(MailError) {
        ERR_clear_error()
        guard let handle = SSL_CTX_new(TLS_client_method()) else {
            throw .tlsFailed(server: server, reason: "cannot create a TLS context: \(TLSContext.lastError())")
        }
        self.handle = handle
        guard zc_ssl_ctx_require_tls12(handle) == 1 else {
            throw .tlsFailed(server: server, reason: "cannot require TLS 1.2: \(TLSContext.lastError())")
        }
        SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(handle) == 1 else {
            throw .tlsFailed(server: server, reason: "cannot load the system's certificates: \(TLSContext.lastError())")
        }
        if let caFile, SSL_CTX_load_verify_locations(handle, caFile, nil) != 1 {
            throw .tlsFailed(server: server, reason: "cannot load ca_file \(caFile): \(TLSContext.lastError())")
        }
    }

    deinit { SSL_CTX_free(handle) }

    /// OpenSSL's reason for the earliest error queued on this thread (`unsupported protocol`), and the queue
    /// emptied.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no further detail" }
        if let reason = ERR_reason_error_string(code) { return String(cString: reason) }
        return "OpenSSL error \(code)"
    }
}
