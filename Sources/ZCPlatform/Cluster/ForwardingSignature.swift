import ZCCore
import ZCCrypto
import ZCHTTP

/// Marks a request one node forwards to another: which node sent it, for which client, when, and an
/// HMAC-SHA256 over those, the method, the target and the body's digest, under a key derived from the
/// vault key every node shares. The receiving node trusts the client address only when the code checks
/// out, and never forwards a marked request again.
struct ForwardingSignature: Sendable {
    static let byHeader = "X-ZCPlatform-Forwarded-By"
    static let forHeader = "X-ZCPlatform-Forwarded-For"
    static let atHeader = "X-ZCPlatform-Forwarded-At"
    static let signatureHeader = "X-ZCPlatform-Forwarded-Signature"
    static let headers = [byHeader, forHeader, atHeader, signatureHeader]
    static let lowercasedHeaders = Set(headers.map { $0.lowercased() })
    static let purpose = "cluster-forwarding"
    /// How far apart the two nodes' clocks and the forward's age may be.
    static let window: Int64 = 300

    /// What a checked mark says.
    struct Mark: Sendable, Equatable {
        let node: String
        let clientIP: String
    }

    /// Why a mark was refused.
    struct Refused: Error, PublicError {
        let reason: String
        var failureKind: FailureKind { .forbidden }
        var publicMessage: String { "the request is marked as forwarded by a node, but \(reason)" }
    }

    let vault: Vault

    /// The mark's headers for `request`, sent by `node` for `clientIP`.
    func sign(
        _ request: HTTPRequest, node: String, clientIP: String, at time: Timestamp = .now()
    ) throws
        -> [(String, String)]
    {
        guard let (version, key) = vault.derivedKey(purpose: Self.purpose) else {
            throw Failure(.internalFailure, "the vault has no key to sign a forwarded request with")
        }
        let code = try HMACSHA256.authenticationCode(
            for: Self.message(request, node: node, clientIP: clientIP, at: time.seconds), key: key)
        return [
            (Self.byHeader, node), (Self.forHeader, clientIP), (Self.atHeader, String(time.seconds)),
            (Self.signatureHeader, "\(version):\(code.hexString)"),
        ]
    }

    /// The mark on `request`: nil when it carries none, `Refused` when it carries a bad one.
    func check(_ request: HTTPRequest, now: Timestamp = .now()) throws -> Mark? {
        guard Self.headers.contains(where: request.headers.contains) else { return nil }
        guard let node = request.headers[Self.byHeader], let clientIP = request.headers[Self.forHeader],
            let at = request.headers[Self.atHeader].flatMap(Int64.init),
            let signature = request.headers[Self.signatureHeader]
        else {
            throw Refused(reason: "some of its \(Self.headers.joined(separator: ", ")) headers are missing")
        }
        guard abs(now.seconds - at) <= Self.window else {
            throw Refused(reason: "it was signed \(now.seconds - at) s from now, past \(Self.window) s")
        }
        let parts = signature.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let version = UInt32(parts[0]), let code = Self.bytes(hex: parts[1]),
            let (_, key) = vault.derivedKey(purpose: Self.purpose, version: version),
            (try? HMACSHA256.isValid(
                code, for: Self.message(request, node: node, clientIP: clientIP, at: at), key: key)) == true
        else {
            throw Refused(reason: "its signature does not check out (is the vault key the same on every node?)")
        }
        return Mark(node: node, clientIP: clientIP)
    }

    static func message(_ request: HTTPRequest, node: String, clientIP: String, at: Int64) -> [UInt8] {
        let digest = SHA256Digest.hash(request.body).hexString
        return Array(
            "zcplatform-forward-1\n\(node)\n\(clientIP)\n\(at)\n\(request.method.rawValue)\n\(request.target)\n\(digest)"
                .utf8)
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
