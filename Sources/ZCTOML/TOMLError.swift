/// An error raised while decoding TOML text.
///
/// `line` and `column` are 1-based and point at the character where the problem was found; the column counts
/// Unicode scalars (not bytes), so it matches what an editor shows for most text.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the offending character.
    public let line: Int
    /// The 1-based column of the offending character, counted in Unicode scalars.
    public let column: Int
    /// A human-readable explanation, e.g. `duplicate key 'name'`.
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 7: <message>`.
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}
