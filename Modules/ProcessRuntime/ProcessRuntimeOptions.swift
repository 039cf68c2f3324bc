/// How the process runtime runs agents.
public struct ProcessRuntimeOptions: Sendable, Hashable {
    /// The agent's command line (`zeroclaw daemon`, or the simulator beside `zcplatform`).
    public var agentCommand: [String]
    /// Where each agent's log files and pid file live: `{runDirectory}/{name}/`.
    public var runDirectory: String
    /// A log file is rotated at this size; `maxLogFiles` files are kept (as Docker's json-file caps).
    public var maxLogBytes: Int
    public var maxLogFiles: Int
    /// How long `shutdown()` gives agents between SIGTERM and SIGKILL.
    public var shutdownTimeout: Duration
    /// Execs running at once in one agent, and in all of them: each holds a thread and a process until
    /// it ends (up to its timeout), so a tenant's members cannot pile them up on the host.
    public var maxExecsPerAgent: Int
    public var maxExecs: Int

    public init(
        agentCommand: [String], runDirectory: String, maxLogBytes: Int = 50 << 20, maxLogFiles: Int = 3,
        shutdownTimeout: Duration = .seconds(10), maxExecsPerAgent: Int = 4, maxExecs: Int = 32
    ) {
        self.maxExecsPerAgent = max(1, maxExecsPerAgent)
        self.maxExecs = max(1, maxExecs)
        self.agentCommand = agentCommand
        self.runDirectory = runDirectory
        self.maxLogBytes = maxLogBytes
        self.maxLogFiles = max(1, maxLogFiles)
        self.shutdownTimeout = shutdownTimeout
    }
}
