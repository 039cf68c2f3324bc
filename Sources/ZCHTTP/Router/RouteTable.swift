/// Patterns by segment: literals, `{name}` parameters, and a final `{name...}` for the rest of the path.
struct RouteTable: Sendable {
    final class Node: @unchecked Sendable {
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var rest: (name: String, handlers: [HTTPMethod: RouteHandler], pattern: String)?
        var handlers: [HTTPMethod: RouteHandler] = [:]
        var pattern: String?
    }

    struct Match {
        let pattern: String
        let handlers: [HTTPMethod: RouteHandler]
        let parameters: [String: String]
    }

    private(set) var root = Node()

    /// Adds a route; the table is built before serving and never changed after.
    mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        var node = root
        let segments = Self.segments(pattern)
        for (index, segment) in segments.enumerated() {
            if segment.hasPrefix("{"), segment.hasSuffix("...}"), index == segments.count - 1 {
                let name = String(segment.dropFirst().dropLast(4))
                var rest = node.rest ?? (name, [:], pattern)
                rest.handlers[method] = handler
                node.rest = rest
                return
            }
            if segment.hasPrefix("{"), segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if node.parameter == nil { node.parameter = (name, Node()) }
                node = node.parameter!.node
            } else {
                if node.literals[segment] == nil { node.literals[segment] = Node() }
                node = node.literals[segment]!
            }
        }
        node.handlers[method] = handler
        node.pattern = pattern
    }

    /// The route for `path` (still percent-encoded), literals preferred over parameters.
    func match(_ path: String) -> Match? {
        let segments = Self.segments(path)
        var parameters: [String: String] = [:]
        return match(segments[...], node: root, parameters: &parameters)
    }

    private func match(_ segments: ArraySlice<String>, node: Node, parameters: inout [String: String]) -> Match? {
        guard let segment = segments.first else {
            if let pattern = node.pattern, !node.handlers.isEmpty {
                return Match(pattern: pattern, handlers: node.handlers, parameters: parameters)
            }
            return nil
        }
        let rest = segments.dropFirst()
        if let next = node.literals[segment], let found = match(rest, node: next, parameters: &parameters) {
            return found
        }
        if let (name, next) = node.parameter, let decoded = PercentEncoding.decode(segment), !decoded.isEmpty {
            let saved = parameters
            parameters[name] = decoded
            if let found = match(rest, node: next, parameters: &parameters) { return found }
            parameters = saved
        }
        if let tail = node.rest {
            let joined = segments.joined(separator: "/")
            guard let decoded = PercentEncoding.decode(joined) else { return nil }
            parameters[tail.name] = decoded
            return Match(pattern: tail.pattern, handlers: tail.handlers, parameters: parameters)
        }
        return nil
    }

    /// `/api/tenants/` → `["api", "tenants"]`; a trailing slash does not matter.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
