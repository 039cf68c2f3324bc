import ZCCore

/// What the lifecycle reports at `/metrics`: actions by outcome, deploy durations, runtime outages.
struct LifecycleMetrics: Sendable {
    let actions: Counter
    let deploySeconds: Histogram
    let runtimeUp: Gauge

    init(_ registry: MetricsRegistry) {
        actions = registry.counter(
            "zcplatform_tenant_actions_total", help: "Tenant lifecycle actions by action and outcome.",
            labels: ["action", "outcome"])
        deploySeconds = registry.histogram(
            "zcplatform_deploy_duration_seconds", help: "Deploys from request to a healthy agent, or to failure.",
            labels: ["outcome"], buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300])
        runtimeUp = registry.gauge(
            "zcplatform_runtime_up", help: "1 when the container runtime answered its last call, else 0.",
            labels: ["driver"])
    }
}
