/// An error that is an answer: its status and a message safe for the client.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let message: String
    /// Extra response fields, e.g. `Allow` on a 405 or `Retry-After` on a 429.
    public let headers: HTTPHeaders

    public init(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }
}
