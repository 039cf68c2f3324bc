import ZCCore

/// Keeps the fleet's gauges at `/metrics` current: tenants by status (from the store, so every node
/// reports the same fleet) and the tenants this node's health checker found unhealthy.
struct FleetGauges: Service {
    let name = "fleet-gauges"
    let store: any Store
    let tenants: Gauge
    let interval: Duration
    let logger: Logger

    init(store: any Store, metrics: MetricsRegistry, interval: Duration, logger: Logger) {
        self.store = store
        tenants = metrics.gauge(
            "zcplatform_tenants", help: "Tenants by status, fleet-wide.", labels: ["status"])
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isCancelled {
            await update()
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    func update() async {
        do {
            let counts = try await store.read { try await $0.tenantCountsByStatus() }
            for status in TenantStatus.allCases where status != .deleted {
                tenants.set(Double(counts[status] ?? 0), labels: [status.rawValue])
            }
        } catch {
            logger.warning("fleet_gauges.failed", ["error": CollectorSchedule.describe(error)])
        }
    }
}
