import Glibc
import ZCCore

/// How many client connections the API may hold, given the process's descriptor limit: at most half
/// of `RLIMIT_NOFILE`, so a flood of connections never takes the descriptors the store, the runtime,
/// the agents' pipes and the probes need (which would fail them with EMFILE). Connections beyond are
/// closed as soon as accepted (`zcplatform_http_connections_refused_total{reason="server_full"}`).
enum ConnectionBudget {
    /// `configured`, or half the soft descriptor limit when that is lower (at least 16).
    static func maxConnections(configured: Int, descriptorLimit: Int? = softLimit()) -> Int {
        guard let descriptorLimit else { return configured }
        return min(configured, max(16, descriptorLimit / 2))
    }

    /// The soft `RLIMIT_NOFILE`; nil when unlimited or unknown.
    static func softLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return nil
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The limit for this process, logged when the descriptor limit lowers the configured one.
    static func maxConnections(configured: Int, logger: Logger) -> Int {
        let effective = maxConnections(configured: configured)
        if effective < configured {
            logger.warning(
                "http.connection_limit",
                [
                    "max_connections": effective, "configured": configured, "descriptor_limit": softLimit() ?? 0,
                    "detail":
                        "half the descriptors are kept for the platform's own work; raise LimitNOFILE (ulimit -n) to allow more",
                ])
        }
        return effective
    }
}
