/// Writes responses (and, for the client, requests) as bytes.
public enum HTTPSerializer {
    /// A response head: status line, the given fields, then the blank line.
    public static func responseHead(_ status: HTTPStatus, headers: HTTPHeaders, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reason)\r\n".utf8)
        for (name, value) in headers {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// A request head for the client.
    public static func requestHead(
        _ method: HTTPMethod, target: String, headers: HTTPHeaders, into bytes: inout [UInt8]
    ) {
        bytes.append(contentsOf: "\(method.rawValue) \(target) HTTP/1.1\r\n".utf8)
        for (name, value) in headers {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// One chunk of a chunked body (RFC 9112 §7.1); empty input writes nothing (that would end the body).
    public static func chunk(_ data: some Collection<UInt8>, into bytes: inout [UInt8]) {
        guard !data.isEmpty else { return }
        bytes.append(contentsOf: String(data.count, radix: 16).utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: data)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// The last chunk and an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// `100 Continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
