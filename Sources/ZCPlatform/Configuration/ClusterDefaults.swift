/// Defaults of `[cluster]` that depend on the machine.
enum ClusterDefaults {
    /// The host's memory less a reserve for the system and the platform: a tenth, at least 512 MiB.
    static func memoryCapacity(hostMemory: Int64) -> Int64 {
        max(0, hostMemory - max(512 << 20, hostMemory / 10))
    }
}
