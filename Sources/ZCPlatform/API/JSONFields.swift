import ZCCore
import ZCHTTP

/// A PATCH body read field by field, so an absent field (unchanged) differs from `null` (cleared).
struct JSONFields {
    let values: [String: JSONValue]

    init(_ request: HTTPRequest, allowed: Set<String>) throws {
        guard case .object(let object) = try JSONBody.decodeLenient(JSONValue.self, from: request) else {
            throw HTTPError(.unprocessableContent, "the body must be a JSON object")
        }
        if let unknown = Set(object.keys).subtracting(allowed).sorted().first {
            throw HTTPError(
                .unprocessableContent,
                "unknown field '\(unknown)'; known fields: \(allowed.sorted().joined(separator: ", "))")
        }
        values = object
    }

    func has(_ key: String) -> Bool { values[key] != nil }

    func string(_ key: String) throws -> String?? {
        switch values[key] {
        case nil: return .none
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        default: throw HTTPError(.unprocessableContent, "\(key) must be a string or null")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil: return nil
        case .bool(let flag): return flag
        default: throw HTTPError(.unprocessableContent, "\(key) must be true or false")
        }
    }

    func object(_ key: String) throws -> [String: JSONValue]? {
        switch values[key] {
        case nil: return nil
        case .object(let object): return object
        default: throw HTTPError(.unprocessableContent, "\(key) must be an object")
        }
    }
}
