import ZCCore

/// What the lifecycle reports at `/metrics`: actions by outcome, deploy durations, runtime outages.
struct LifecycleMetrics: Sendable {
    let actions: Counter
    let deploySeconds: Histogram
    let runtimeUp: Gauge
    let moves: Counter
    let moveSeconds: Histogram
    let moveBytes: Counter

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
        moves = registry.counter(
            "zcplatform_cluster_moves_total", help: "Tenant moves from this node by outcome.", labels: ["outcome"])
        moveSeconds = registry.histogram(
            "zcplatform_cluster_move_duration_seconds",
            help: "Moves from this node that succeeded: from the agent's stop to the flip of its owner.",
            buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600])
        moveBytes = registry.counter(
            "zcplatform_cluster_move_bytes_total", help: "Bytes of tenant data this node sent in moves (compressed).")
    }
}
