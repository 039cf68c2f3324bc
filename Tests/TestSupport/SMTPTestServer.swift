import Foundation
import Synchronization
import Testing

/// A real SMTP server for one test: `smtp_server.py` (aiosmtpd) on 127.0.0.1, with a certificate made for
/// the test, writing each message it accepts into a directory the test reads.
public struct SMTPTestServer: Sendable {
    public enum Mode: String, Sendable {
        case starttls, tls, plain
    }

    public struct Configuration: Sendable {
        public var mode: Mode
        /// AUTH is required with exactly these credentials.
        public var credentials: (username: String, password: String)?
        /// What AUTH offers (`"LOGIN"`); nil: everything aiosmtpd has.
        public var authMechanisms: String?
        /// RCPT TO is answered with this code for the first transactions.
        public var failFirst: (count: Int, code: Int)?
        /// RCPT TO is always answered with this code.
        public var failRecipients: Int?
        /// The names the certificate is for.
        public var certificateNames = "DNS:localhost,IP:127.0.0.1"

        public init(
            _ mode: Mode, credentials: (username: String, password: String)? = nil, authMechanisms: String? = nil,
            failFirst: (count: Int, code: Int)? = nil, failRecipients: Int? = nil
        ) {
            self.mode = mode
            self.credentials = credentials
            self.authMechanisms = authMechanisms
            self.failFirst = failFirst
            self.failRecipients = failRecipients
        }
    }

    /// One message as the server received it.
    public struct Received: Decodable, Sendable {
        public let mailFrom: String
        public let rcptTos: [String]
        public let dataBase64: String
        public let authMechanism: String?
        public let encrypted: Bool

        enum CodingKeys: String, CodingKey {
            case mailFrom = "mail_from"
            case rcptTos = "rcpt_tos"
            case dataBase64 = "data_base64"
            case authMechanism = "auth_mechanism"
            case encrypted
        }

        /// The message's bytes as they arrived (after the server removed the dot-stuffing).
        public var data: [UInt8] { Array(Data(base64Encoded: dataBase64) ?? Data()) }
        public var text: String { String(decoding: data, as: UTF8.self) }

        /// The header fields, unfolded, by lower-cased name.
        public var headers: [String: String] {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            var fields: [String: String] = [:]
            var last: String?
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t"), let name = last {
                    fields[name, default: ""] += line
                } else if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    fields[name] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                    last = name
                }
            }
            return fields
        }

        /// What follows the blank line after the header.
        public var body: String {
            guard let range = text.range(of: "\r\n\r\n") else { return "" }
            return String(text[range.upperBound...])
        }
    }

    public let port: Int
    public let certificate: String
    public let directory: TemporaryDirectory
    private let process: ChildProcess

    public var output: String { directory.file("received") }

    /// The messages received so far, in order.
    public func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".json") }
        return try names.sorted { (Int($0.dropLast(5)) ?? 0) < (Int($1.dropLast(5)) ?? 0) }.map {
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: URL(fileURLWithPath: "\(output)/\($0)")))
        }
    }

    /// Starts a server, runs `body` with it and stops it, whether `body` throws or not. When python3 or
    /// aiosmtpd is missing, prints why and returns without running `body`; with `CI=true` records an issue
    /// instead.
    public static func with(
        _ configuration: Configuration, _ body: (SMTPTestServer) async throws -> Void
    ) async throws {
        guard await Self.available() else { return }
        let server = try await start(configuration)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Makes a self-signed certificate for `names` (`DNS:localhost,IP:127.0.0.1`) in `directory`; its paths.
    public static func makeCertificate(
        in directory: TemporaryDirectory, names: String
    ) async throws -> (
        certificate: String, key: String
    ) {
        let certificate = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let status = try await Blocking.run {
            try ChildProcess.run([
                "/usr/bin/env", "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=\(names)", "-days", "1", "-keyout", key, "-out", certificate,
            ]).status
        }
        guard status == 0 else { throw TestServerError("openssl req exited with \(status)") }
        return (certificate, key)
    }

    private static func start(_ configuration: Configuration) async throws -> SMTPTestServer {
        let directory = try TemporaryDirectory("zc-mail")
        do {
            try FileManager.default.createDirectory(
                atPath: directory.file("received"), withIntermediateDirectories: true)
            let (certificate, key) = try await makeCertificate(in: directory, names: configuration.certificateNames)
            var lastFailure = "not started"
            // A port that was free when asked may be taken by the time the server binds it: try another.
            for _ in 0..<3 {
                let port = FreePort.next()
                var arguments = [
                    script, "--port", String(port), "--mode", configuration.mode.rawValue, "--cert", certificate,
                    "--key", key, "--output", directory.file("received"),
                ]
                if let (username, password) = configuration.credentials {
                    arguments += ["--username", username, "--password", password]
                }
                if let mechanisms = configuration.authMechanisms { arguments += ["--auth-mechanisms", mechanisms] }
                if let (count, code) = configuration.failFirst {
                    arguments += ["--fail-first", String(count), String(code)]
                }
                if let code = configuration.failRecipients { arguments += ["--fail-rcpt", String(code)] }
                let log = directory.file("server-\(port).log")
                let command = arguments
                let launched = try await Blocking.run { try launch(command, log: log) }
                switch launched {
                case .ready(let process):
                    return SMTPTestServer(
                        port: port, certificate: certificate, directory: directory, process: process)
                case .failed(let reason):
                    lastFailure = reason
                }
            }
            throw TestServerError("smtp_server.py did not start: \(lastFailure)")
        } catch {
            directory.remove()
            throw error
        }
    }

    private enum Launch: Sendable {
        case ready(ChildProcess)
        case failed(String)
    }

    /// Starts the script and waits (up to 20 s) for its `ready` line. Blocking: call through `Blocking.run`.
    private static func launch(_ arguments: [String], log: String) throws -> Launch {
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw TestServerError("cannot create \(log)")
        }
        let process = try ChildProcess(
            ["/usr/bin/env", "python3"] + arguments, environment: ProcessInfo.processInfo.environment, stdin: true,
            stderrFile: log)
        let fd = process.stdout
        let deadline = ContinuousClock.now + .seconds(20)
        var seen: [UInt8] = []
        while ContinuousClock.now < deadline, !seen.contains(0x0A) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            seen += buffer[0..<count]
        }
        if String(decoding: seen, as: UTF8.self).hasPrefix("ready ") { return .ready(process) }
        process.signal(SIGTERM)
        process.wait()
        let errors = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return .failed(String(errors.suffix(2000)))
    }

    /// Ends the server and removes its directory.
    public func stop() async {
        let process = self.process
        _ = try? await Blocking.run {
            process.closeInput()
            process.signal(SIGTERM)
            process.wait()
        }
        directory.remove()
    }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "smtp_server.py"
    ).path

    /// Whether python3 and aiosmtpd are here; asked once per test process.
    private static let availability = Mutex<Bool?>(nil)

    public static func available() async -> Bool {
        var found = availability.withLock { $0 }
        if found == nil {
            let status =
                (try? await Blocking.run { () throws -> Int32 in
                    try ChildProcess.run(["/usr/bin/env", "python3", "-c", "import aiosmtpd"]).status
                }) ?? -1
            found = status == 0
            availability.withLock { $0 = found }
        }
        guard found == true else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(
                    "python3 with aiosmtpd is needed in CI for the SMTP tests (python3 -m pip install aiosmtpd)")
            } else {
                print("skipping an SMTP test: python3 with aiosmtpd is not installed (python3 -m pip install aiosmtpd)")
            }
            return false
        }
        return true
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
