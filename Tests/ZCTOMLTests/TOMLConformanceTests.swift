import Foundation
import Testing
import ZCTOML

/// Runs the toml-test suite's TOML 1.0 cases: every listed valid document must decode to its expected tagged JSON
/// and survive an encode/decode round trip, and every listed invalid document must be rejected with a position.
@Suite struct TOMLConformanceTests {
    /// Where the suite lives: `$ZC_TOML_TEST_DIR`, else `<repo>/../shared/conformance/toml-test`, else the
    /// workplace's `/work/shared/conformance/toml-test` (a clone made elsewhere on the machine).
    static func suiteDirectory(filePath: String = #filePath) -> URL {
        if let override = ProcessInfo.processInfo.environment["ZC_TOML_TEST_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // Tests/ZCTOMLTests/<file>.swift → repository root (following symlinks to the real checkout).
        let repositoryRoot = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let beside = repositoryRoot.appendingPathComponent("../shared/conformance/toml-test", isDirectory: true)
            .standardizedFileURL
        let workplace = URL(fileURLWithPath: "/work/shared/conformance/toml-test", isDirectory: true)
        if !FileManager.default.fileExists(atPath: beside.appendingPathComponent("files-toml-1.0.0").path),
            FileManager.default.fileExists(atPath: workplace.appendingPathComponent("files-toml-1.0.0").path)
        {
            return workplace
        }
        return beside
    }

    @Test func tomlTest100() throws {
        let suite = Self.suiteDirectory()
        let listURL = suite.appendingPathComponent("files-toml-1.0.0")
        guard FileManager.default.fileExists(atPath: listURL.path) else {
            let message =
                "toml-test suite not found: looked for \(listURL.path) "
                + "(set ZC_TOML_TEST_DIR to the folder holding files-toml-1.0.0)"
            if ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true" {
                Issue.record(Comment(rawValue: message))
            } else {
                print("skipping toml-test conformance: \(message)")
            }
            return
        }
        let listed = try String(contentsOf: listURL, encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
        let validCases = listed.filter { $0.hasPrefix("valid/") && $0.hasSuffix(".toml") }
        let invalidCases = listed.filter { $0.hasPrefix("invalid/") && $0.hasSuffix(".toml") }

        var decodeFailures: [String] = []
        var roundTripFailures: [String] = []
        for name in validCases {
            switch checkValid(name, in: suite) {
            case .passed: break
            case .decodeFailed(let reason): decodeFailures.append("\(name): \(reason)")
            case .roundTripFailed(let reason): roundTripFailures.append("\(name): \(reason)")
            }
        }
        var acceptedInvalid: [String] = []
        for name in invalidCases {
            if let reason = checkInvalid(name, in: suite) {
                acceptedInvalid.append("\(name): \(reason)")
            }
        }

        let decoded = validCases.count - decodeFailures.count
        let rejected = invalidCases.count - acceptedInvalid.count
        let roundTripped = decoded - roundTripFailures.count
        print(
            "toml-test 1.0.0: valid \(decoded)/\(validCases.count) decoded, "
                + "invalid \(rejected)/\(invalidCases.count) rejected, "
                + "round-trip \(roundTripped)/\(validCases.count)")
        #expect(!validCases.isEmpty && !invalidCases.isEmpty, "no cases listed in \(listURL.path)")
        #expect(
            decodeFailures.isEmpty, "valid cases not decoded as expected:\n\(decodeFailures.joined(separator: "\n"))")
        #expect(acceptedInvalid.isEmpty, "invalid cases not rejected:\n\(acceptedInvalid.joined(separator: "\n"))")
        #expect(roundTripFailures.isEmpty, "round-trip failures:\n\(roundTripFailures.joined(separator: "\n"))")
    }

    /// The result of checking one valid case.
    private enum Outcome {
        case passed
        case decodeFailed(String)
        case roundTripFailed(String)
    }

    private func checkValid(_ name: String, in suite: URL) -> Outcome {
        let tomlURL = suite.appendingPathComponent(name)
        let jsonURL = tomlURL.deletingPathExtension().appendingPathExtension("json")
        guard let toml = FileManager.default.contents(atPath: tomlURL.path) else { return .decodeFailed("unreadable") }
        guard let jsonData = FileManager.default.contents(atPath: jsonURL.path),
            let expected = try? JSONSerialization.jsonObject(with: jsonData, options: [.fragmentsAllowed])
        else { return .decodeFailed("missing or unreadable expected JSON") }
        let decoded: TOMLTable
        do {
            decoded = try TOML.decode(bytes: [UInt8](toml))
        } catch {
            return .decodeFailed("rejected: \(error)")
        }
        if let difference = TaggedJSON.difference(actual: TaggedJSON.make(decoded), expected: expected) {
            return .decodeFailed(difference)
        }
        let encoded = TOML.encode(decoded)
        do {
            let again = try TOML.decode(encoded)
            guard again == decoded else { return .roundTripFailed("re-decoded table differs; encoded:\n\(encoded)") }
        } catch {
            return .roundTripFailed("encoded text rejected: \(error); encoded:\n\(encoded)")
        }
        return .passed
    }

    /// `nil` when the document is rejected properly, else why not.
    private func checkInvalid(_ name: String, in suite: URL) -> String? {
        guard let toml = FileManager.default.contents(atPath: suite.appendingPathComponent(name).path) else {
            return "unreadable"
        }
        do {
            _ = try TOML.decode(bytes: [UInt8](toml))
            return "accepted"
        } catch {
            guard error.line >= 1, error.column >= 1, !error.message.isEmpty else {
                return "bad error position or message: \(error)"
            }
            return nil
        }
    }
}
