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

    public init(
        agentCommand: [String], runDirectory: String, maxLogBytes: Int = 50 << 20, maxLogFiles: Int = 3,
        shutdownTimeout: Duration = .seconds(10)
    ) {
        self.agentCommand = agentCommand
        self.runDirectory = runDirectory
        self.maxLogBytes = maxLogBytes
        self.maxLogFiles = max(1, maxLogFiles)
        self.shutdownTimeout = shutdownTimeout
    }
}
