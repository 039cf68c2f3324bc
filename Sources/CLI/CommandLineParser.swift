/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    let valueName: String?
    let help: String
}

/// What the command line asked for, once parsed against a command's options.
struct ParsedArguments: Sendable {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    func value(_ name: String) -> String? { values[name] }
    func has(_ name: String) -> Bool { flags.contains(name) }
}

/// A command-line mistake: printed with the command's usage, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    let command: CommandSpec?

    var description: String { message }
}

/// Splits `argv` into the command path, options and flags. `--name value`, `--name=value` and bare
/// flags; `--config` and `--help` are accepted by every command.
enum CommandLineParser {
    static let globalOptions = [
        OptionSpec(name: "config", valueName: "PATH", help: "configuration file (default ./zcplatform.toml)"),
        OptionSpec(name: "help", valueName: nil, help: "show this help"),
    ]

    static func parse(_ arguments: [String], commands: [CommandSpec]) throws -> (CommandSpec?, ParsedArguments) {
        var words: [String] = []
        var rest = arguments[...]
        // The command path is the longest run of leading words that names a command (`backup`, then
        // `backup verify`); a word after it that leads nowhere is the command's positional argument.
        while let word = rest.first, !word.hasPrefix("-") {
            let longer = words + [word]
            let leads = commands.contains { Array($0.path.prefix(longer.count)) == longer }
            if !leads && commands.contains(where: { $0.path == words }) { break }
            words = longer
            rest = rest.dropFirst()
        }
        let command = commands.first { $0.path == words }
        if command == nil, !words.isEmpty {
            let prefix = commands.filter { Array($0.path.prefix(words.count)) == words }
            if prefix.isEmpty {
                throw UsageError(message: "unknown command '\(words.joined(separator: " "))'", command: nil)
            }
        }
        let known = (command?.options ?? []) + globalOptions
        var parsed = ParsedArguments()
        var positionals = command?.arguments[...] ?? []
        while let word = rest.first {
            rest = rest.dropFirst()
            if word == "-h" {
                parsed.flags.insert("help")
                continue
            }
            if !word.hasPrefix("-"), let name = positionals.popFirst() {
                parsed.values[name] = word
                continue
            }
            guard word.hasPrefix("--"), word.count > 2 else {
                throw UsageError(message: "unexpected argument '\(word)'", command: command)
            }
            var name = String(word.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = known.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option '--\(name)'", command: command)
            }
            if option.valueName != nil {
                guard let value = inlineValue ?? rest.first, inlineValue != nil || !value.hasPrefix("--") else {
                    throw UsageError(message: "option '--\(name)' needs a value", command: command)
                }
                if inlineValue == nil { rest = rest.dropFirst() }
                guard parsed.values[name] == nil else {
                    throw UsageError(message: "option '--\(name)' given twice", command: command)
                }
                parsed.values[name] = value
            } else {
                guard inlineValue == nil else {
                    throw UsageError(message: "option '--\(name)' takes no value", command: command)
                }
                parsed.flags.insert(name)
            }
        }
        return (command, parsed)
    }
}
