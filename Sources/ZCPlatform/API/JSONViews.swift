import ZCCore
import ZCHTTP

// The views of answers that run to thousands of rows (fleet health, fleet resources, the tenant list),
// written with `JSONWriter`; `JSONViewsTests` checks each against what `JSONBody` encodes.

extension MonitoringController.HealthView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("error_message", orNull: errorMessage)
        json.field("health", orNull: health)
        json.field("name", name)
        json.field("node", orNull: node)
        json.field("status", status)
        json.field("tenant_id", tenantId)
        json.field("unmetered", orNull: unmetered)
        json.field("uptime", orNull: uptime)
        json.endObject()
    }
}

extension MonitoringController.ProbeView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("checked_at", utcSeconds: checkedAt.seconds)
        json.key("components")
        json.array(components)
        json.field("consecutive_failures", consecutiveFailures)
        json.field("healthy", healthy)
        json.field("last_error", lastError)
        json.field("restarted_at", utcSeconds: restartedAt?.seconds)
        json.field("state", state)
        json.endObject()
    }
}

extension MonitoringController.ComponentView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("last_error", lastError)
        json.field("name", name)
        json.field("restart_count", restartCount)
        json.field("status", status)
        json.endObject()
    }
}

extension MonitoringController.UnmeteredView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("reason", reason)
        json.field("since", utcSeconds: since.seconds)
        json.endObject()
    }
}

extension MonitoringController.FleetResourcesView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("tenants")
        json.array(tenants)
        json.key("totals")
        json.beginObject()
        json.field("cpu_pct", totals.cpuPct)
        json.field("disk_bytes", totals.diskBytes)
        json.field("mem_bytes", totals.memBytes)
        json.field("mem_limit", totals.memLimit)
        json.field("pids", totals.pids)
        json.field("tenants", totals.tenants)
        json.endObject()
        json.endObject()
    }
}

extension SnapshotView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("collected_at", utcSeconds: collectedAt.seconds)
        json.field("cpu_pct", cpuPct)
        json.field("disk_bytes", diskBytes)
        json.field("mem_bytes", memBytes)
        json.field("mem_limit", memLimit)
        json.field("net_in", netIn)
        json.field("net_out", netOut)
        json.field("pids", pids)
        json.field("tenant_id", tenantId)
        json.endObject()
    }
}

extension TenantView: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        if let detail {
            json.key("actions")
            json.beginArray()
            for action in detail.actions { json.string(action.rawValue) }
            json.endArray()
        }
        json.field("container_id", containerId)
        json.field("created_at", utcSeconds: createdAt.seconds)
        json.field("error_message", errorMessage)
        if let detail { json.field("health", orNull: detail.health.map(MonitoringController.ProbeView.init)) }
        json.field("host_port", hostPort)
        json.field("id", id)
        json.field("image", orNull: image)
        json.field("image_pinned", imagePinned)
        json.field("moving_to", movingTo)
        json.field("name", name)
        json.field("node_id", nodeId)
        json.field("plan", plan)
        json.field("started_at", utcSeconds: startedAt?.seconds)
        json.field("status", status)
        if let detail { json.field("unmetered", orNull: detail.unmetered.map(MonitoringController.UnmeteredView.init)) }
        json.field("updated_at", utcSeconds: updatedAt.seconds)
        json.endObject()
    }
}
