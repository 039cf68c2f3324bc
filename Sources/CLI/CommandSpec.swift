/// A `zcplatform` command: its words, its help and what it runs. Returns the exit status.
struct CommandSpec: Sendable {
    let path: [String]
    let summary: String
    let details: String
    let options: [OptionSpec]
    /// Positional arguments after the command's words, by the name their value is kept under (`FILE`).
    let arguments: [String]
    let run: @Sendable (ParsedArguments) async throws -> Int32

    init(
        _ path: [String], summary: String, details: String = "", options: [OptionSpec] = [], arguments: [String] = [],
        run: @escaping @Sendable (ParsedArguments) async throws -> Int32
    ) {
        self.arguments = arguments
        self.path = path
        self.summary = summary
        self.details = details
        self.options = options
        self.run = run
    }

    var name: String { path.joined(separator: " ") }

    var help: String {
        var lines = ["zcplatform \(name) — \(summary)", ""]
        let usageOptions = options.map { option in
            option.valueName.map { "--\(option.name) \($0)" } ?? "[--\(option.name)]"
        }
        lines.append(
            "Usage: zcplatform \(([name] + arguments + usageOptions + ["[--config PATH]"]).joined(separator: " "))")
        if !details.isEmpty {
            lines.append("")
            lines.append(details)
        }
        lines.append("")
        lines.append("Options:")
        for option in options + CommandLineParser.globalOptions {
            let left = "  --\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
            lines.append(left.padding(toLength: 24, withPad: " ", startingAt: 0) + option.help)
        }
        return lines.joined(separator: "\n")
    }
}
