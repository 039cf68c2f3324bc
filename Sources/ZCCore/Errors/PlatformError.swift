/// An error that knows how it must be answered when it crosses the API.
///
/// Anything thrown that does not conform becomes a `500` whose detail goes only to the log.
public protocol HTTPStatusError: Error {
    /// The HTTP status the API answers with.
    var httpStatus: Int { get }
    /// A message safe to show a client: it never carries secrets or bound values.
    var publicMessage: String { get }
}
