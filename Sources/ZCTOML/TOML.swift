import Foundation

/// Entry points for reading and writing TOML 1.0 documents.
///
/// ```swift
/// let config = try TOML.decode(text)
/// let port = config["server"]?["port"]?.integer ?? 8080
///
/// let agent: TOMLTable = ["name": "scout", "limits": ["cpu": 2, "memory": "1G"]]
/// let text = TOML.encode(agent)
/// ```
public enum TOML {
    /// Decodes a TOML document.
    public static func decode(_ text: String) throws(TOMLError) -> TOMLTable {
        try decode(bytes: Array(text.utf8))
    }

    /// Decodes a TOML document from UTF-8 bytes (a leading byte-order mark is skipped); invalid UTF-8 is reported
    /// as a `TOMLError` at the offending byte.
    public static func decode(bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Decodes a TOML document from UTF-8 data.
    public static func decode(data: Data) throws(TOMLError) -> TOMLTable {
        try decode(bytes: [UInt8](data))
    }

    /// Encodes a table as a TOML document that decodes back to an equal table.
    public static func encode(_ table: TOMLTable) -> String {
        var encoder = TOMLEncoder()
        encoder.writeDocument(table)
        return encoder.output
    }
}

/// Lets `localizedDescription` and other Foundation error reporting show `line L, column C: message`.
extension TOMLError: LocalizedError {
    public var errorDescription: String? { description }
}
