import ZCCore
import ZCHTTP

/// `{"command": "zeroclaw status"}` (split into argv, never run through a shell) or `{"argv": [...]}`.
enum ExecBody {
    /// The argv and the timeout asked for (`timeout_seconds`, 1 to `maximum`).
    static func parse(_ request: HTTPRequest, maximum: Int) throws -> ([String], Duration?) {
        let fields = try JSONFields(request, allowed: ["command", "argv", "timeout_seconds"])
        var timeout: Duration?
        switch fields.values["timeout_seconds"] {
        case nil, .null?: break
        case .number(let seconds)? where seconds >= 1 && seconds <= Double(maximum) && seconds.rounded() == seconds:
            timeout = .seconds(Int(seconds))
        default:
            throw HTTPError(.unprocessableContent, "timeout_seconds must be a whole number from 1 to \(maximum)")
        }
        return (try argv(fields), timeout)
    }

    /// Both fields are checked when both are given (each must be what the document says); argv wins.
    static func argv(_ fields: JSONFields) throws -> [String] {
        var fromArgv: [String]?
        switch fields.values["argv"] {
        case nil: break
        case .array(let items)?:
            let argv = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
            guard argv.count == items.count, !argv.isEmpty, argv.count <= 64,
                argv.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.count <= 4096 && !$0.utf8.contains(0) })
            else {
                throw HTTPError(
                    .unprocessableContent,
                    "argv must be 1 to 64 non-empty strings of at most 4096 characters, without NUL")
            }
            fromArgv = argv
        default:
            throw HTTPError(.unprocessableContent, "argv must be a list of strings")
        }
        var fromCommand: [String]?
        switch fields.values["command"] {
        case nil: break
        case .string(let command)?:
            // Split on ASCII white space only, exactly as the document's pattern says.
            let separators: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B]
            let argv = command.utf8.split(whereSeparator: { separators.contains($0) }).map {
                String(decoding: $0, as: UTF8.self)
            }
            guard !argv.isEmpty, command.unicodeScalars.count <= 4096, !command.utf8.contains(0) else {
                throw HTTPError(
                    .unprocessableContent, "command must hold a program name, without NUL, in at most 4096 characters")
            }
            fromCommand = argv
        default:
            throw HTTPError(.unprocessableContent, "command must be a string")
        }
        guard let argv = fromArgv ?? fromCommand else {
            throw HTTPError(.unprocessableContent, "give command (a string) or argv (a list of strings)")
        }
        return argv
    }
}
