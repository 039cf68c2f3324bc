import ZCCore
import ZCPlatform

/// A collector of this program's own: each cycle it records, in the platform's audit log, how many
/// tenants the platform holds and how many run on this node.
struct InventoryCollector: Collector {
    let name = "inventory"
    let interval: Duration
    let store: any Store
    let nodeID: String
    /// `[collectors.inventory] label`, written with every record.
    let label: String

    func collect() async throws -> CollectionReport {
        let tenants = try await store.read { try await $0.tenants(.all) }
        let here = tenants.filter { $0.nodeID == nodeID }.count
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: .now(), actor: "system:inventory", action: "inventory.counted",
                    detail: [
                        "tenants": .number(Double(tenants.count)), "on_node": .number(Double(here)),
                        "label": .string(label),
                    ]))
        }
        return CollectionReport(targets: 1, written: 1)
    }

    /// Its registration: a name, its keys beside the common ones, and a factory.
    static let plugin = CollectorPlugin(
        name: "inventory", defaultInterval: 300,
        keys: [ConfigurationKey("label", .string, help: "written with every inventory record", default: "fleet")]
    ) { context in
        InventoryCollector(
            interval: context.interval, store: context.store, nodeID: context.nodeID,
            label: try context.settings.string("label"))
    }
}
