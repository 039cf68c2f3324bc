import Foundation
import ZCCore
import ZCCrypto

/// `zcplatform`: parses the command line, runs one command, exits with its status. Every failure is one
/// line on stderr and a non-zero status (2 for a command-line mistake).
func main() async -> Int32 {
    // A peer that closes a connection must be an error on that connection, not the end of the process:
    // our sockets send with MSG_NOSIGNAL, but OpenSSL under libcurl (webhooks over HTTPS) writes plainly.
    signal(SIGPIPE, SIG_IGN)
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
        let (command, parsed) = try CommandLineParser.parse(arguments, commands: Commands.all)
        guard let command else {
            print(TopLevelHelp.text(Commands.all))
            return parsed.has("help") || arguments.isEmpty ? 0 : 2
        }
        if parsed.has("help") {
            print(command.help)
            return 0
        }
        return try await command.run(parsed)
    } catch let error as UsageError {
        printError(error.message)
        let hint = error.command.map { "zcplatform \($0.name) --help" } ?? "zcplatform --help"
        FileHandle.standardError.write(Data("run '\(hint)' for usage\n".utf8))
        return 2
    } catch {
        printError(ErrorText.describe(error))
        return 1
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("zcplatform: error: \(message)\n".utf8))
}

/// The one line an error becomes on stderr.
enum ErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StoreError: error.description
        case let error as VaultError: error.description
        case let error as any PublicError: error.publicMessage
        default: String(describing: error)
        }
    }
}

enum TopLevelHelp {
    static func text(_ commands: [CommandSpec]) -> String {
        var lines = [
            "zcplatform — the control plane for a fleet of ZeroClaw agents", "",
            "Usage: zcplatform <command> [options] [--config PATH]", "", "Commands:",
        ]
        for command in commands {
            lines.append("  " + command.name.padding(toLength: 18, withPad: " ", startingAt: 0) + command.summary)
        }
        lines.append("")
        lines.append("Run 'zcplatform <command> --help' for a command's options.")
        lines.append(
            "Configuration: zcplatform.toml (or --config PATH, or ZCPLATFORM_CONFIG); ZCPLATFORM_<SECTION>_<KEY> overrides."
        )
        return lines.joined(separator: "\n")
    }
}

exit(await main())
