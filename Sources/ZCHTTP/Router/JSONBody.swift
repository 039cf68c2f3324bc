import Foundation

/// JSON requests and responses: snake_case keys, compact output, and decoding errors that say which
/// field is wrong without echoing the input.
public enum JSONBody {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// A response with `value` as JSON.
    public static func response(_ value: some Encodable, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], bytes: encoded(value))
    }

    /// `value` as JSON bytes.
    public static func encoded(_ value: some Encodable) -> [UInt8] {
        (try? encoder().encode(value)).map(Array.init) ?? Array("{\"error\":\"unencodable response\"}".utf8)
    }

    /// The request body decoded as `type`, refusing fields `type` does not declare (a typo must not be
    /// silently ignored); a 415, 400 or 422 `HTTPError` when it is not acceptable.
    public static func decode<T: StrictDecodable>(_ type: T.Type, from request: HTTPRequest) throws -> T {
        let value: T = try decodeLenient(type, from: request)
        if let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] {
            let unknown = Set(object.keys).subtracting(T.fields)
            if let first = unknown.sorted().first {
                throw HTTPError(
                    .unprocessableContent,
                    "unknown field '\(first)'; known fields: \(T.fields.sorted().joined(separator: ", "))")
            }
        } else {
            throw HTTPError(.unprocessableContent, "the body must be a JSON object")
        }
        return value
    }

    /// The request body decoded as `type`, ignoring fields it does not declare.
    public static func decodeLenient<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws -> T {
        if let contentType = request.headers["Content-Type"],
            !contentType.lowercased().hasPrefix("application/json")
        {
            throw HTTPError(.unsupportedMediaType, "the body must be application/json")
        }
        guard !request.body.isEmpty else { throw HTTPError(.badRequest, "a JSON body is required") }
        do {
            return try decoder().decode(type, from: Data(request.body))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw HTTPError(.badRequest, "the body is not valid JSON")
        } catch let error as DecodingError {
            throw HTTPError(.unprocessableContent, describe(error))
        } catch {
            throw HTTPError(.badRequest, "the body is not valid JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return parent == "the body"
                ? "missing field '\(key.stringValue)'" : "missing field '\(parent).\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(typeName(type))"
        case .valueNotFound(let type, let context): return "\(path(context)) must be \(typeName(type)), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(context)) is invalid"
        @unknown default: return "the body does not match the expected shape"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "of another type"
        }
    }
}

/// A request body that names its fields, so unknown ones are refused.
public protocol StrictDecodable: Decodable {
    /// The JSON field names (snake_case) the body may hold.
    static var fields: Set<String> { get }
}
