import Foundation
import ZCCore
import ZCPlatform

// The platform as a library, with a collector and a notifier of this program's own. Run it in a
// directory holding zcplatform.toml (this package's is a sample):
//
//     swift run EmbeddedPlatform
//
// It opens the platform, creates a user, asks for a login code for them (the journal notifier gets
// it), waits for an inventory cycle (its rows land in the audit log), prints what it saw, and stops.

var registry = PluginRegistry.standard
registry.register(InventoryCollector.plugin)
registry.register(JournalNotifier.plugin)

let logger = Logger(label: "embedded", minimumLevel: .warning, handler: StreamLogHandler())
let configuration: PlatformConfiguration
do {
    // The registry's keys are known to the loader: `[collectors.inventory]` and `[notifiers.journal]`
    // are checked like the platform's own, and a misspelt one is refused by name.
    configuration = try ConfigurationLoader.load(
        explicitPath: nil, environment: ProcessInfo.processInfo.environment, context: .detect(), registry: registry)
} catch {
    FileHandle.standardError.write(Data("configuration: \(error)\n".utf8))
    exit(2)
}

let platform = try await Platform.open(configuration, registry: registry, logger: logger)
let running = Task { try await platform.run() }

func inventoryRows() async throws -> Int {
    try await platform.store.read { reader in
        try await reader.auditEvents(AuditQuery(action: "inventory.counted", limit: 1000)).events.count
    }
}

func journalLines(_ path: String) -> [String] {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map(String.init)
}

let journal = try configuration.settings("notifiers.journal").string("path")
let user = try await platform.services.users.create(
    email: "ops@example.com", isSuperAdmin: true, by: .system("embedding-example"))
try await platform.services.auth.requestCode(email: user.email, clientIP: "127.0.0.1")

let deadline = ContinuousClock.now + .seconds(30)
var rows = 0
var lines: [String] = []
while ContinuousClock.now < deadline {
    rows = try await inventoryRows()
    lines = journalLines(journal)
    if rows > 0 && !lines.isEmpty { break }
    try await Task.sleep(for: .milliseconds(100))
}
running.cancel()
_ = try? await running.value

print("inventory rows: \(rows)")
print("journal lines: \(lines.count)")
for line in lines { print("journal: \(line)") }
exit(rows > 0 && !lines.isEmpty ? 0 : 1)
