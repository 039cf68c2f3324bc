import Foundation
import Testing
import ZCHTTP

@testable import ZCPlatform

/// `Docs/openapi.yaml` is the spec of record: every route the router serves is in it, and every
/// operation in it is served.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static var document: String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/openapi.yaml").path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// `METHOD /path` of every operation under `paths:` (two-space paths, four-space methods).
    static func documentedOperations(_ text: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                current = line.trimmingCharacters(in: .whitespaces).dropLast().replacingOccurrences(of: "\"", with: "")
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path = current {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) {
                    operations.insert("\(method) \(path)")
                }
            }
        }
        return operations
    }

    @Test("the router and the document name the same operations")
    func agree() async throws {
        let api = try await APIHarness.open()
        let served = Set(api.platform.api.routes.map { "\($0.method.rawValue) \($0.pattern)" })
        let documented = Self.documentedOperations(Self.document)
        #expect(documented.count > 30, "the document was read")
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        await api.close()
    }

    @Test("the access matrix covers every /api operation")
    func matrixCoversEverything() {
        let documented = Self.documentedOperations(Self.document).filter { $0.contains(" /api/") }
        let unauthenticated: Set<String> = ["POST /api/auth/otp/request", "POST /api/auth/otp/verify"]
        let matrix = Set(
            AccessMatrixTests.routes.map { route in
                let path = route.path.split(separator: "?").first.map(String.init) ?? route.path
                let pattern = path.replacingOccurrences(of: "/acme", with: "/{id}")
                    .replacingOccurrences(of: "users/{viewer}", with: "users/{id}")
                    .replacingOccurrences(of: "members/{viewer}", with: "members/{user_id}")
                    .replacingOccurrences(of: "{channel}", with: "{channel_id}")
                    .replacingOccurrences(of: "{own-token}", with: "{id}")
                return "\(route.method.rawValue) \(pattern)"
            })
        #expect(
            documented.subtracting(unauthenticated).subtracting(matrix).sorted() == [],
            "operations the matrix does not check")
    }
}
