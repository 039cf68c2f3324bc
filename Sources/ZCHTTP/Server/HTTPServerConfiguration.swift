import Foundation

/// How the HTTP server listens and what it tolerates.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `HTTPServer.port` tells which.
    public var port: Int
    public var limits: HTTPParserLimits
    /// Connections beyond this are closed at once.
    public var maxConnections: Int
    /// Connections one client address may hold open; beyond, its new ones are closed at once, so one
    /// client cannot hold all `maxConnections`. 0: no cap of its own.
    public var maxConnectionsPerClient: Int
    /// The longest wait between `accept` calls that keep failing (out of descriptors or memory).
    public var acceptBackoffLimit: Duration
    /// From a request's first byte to its last: a slow client (slow-loris) is cut off with `408`.
    public var requestTimeout: Duration
    /// How long a kept-alive connection may sit without a request.
    public var idleTimeout: Duration
    /// How long a response write may wait for a client that does not read.
    public var writeTimeout: Duration
    /// On shutdown, how long in-flight requests get to finish.
    public var shutdownGrace: Duration
    /// Event loops (threads); one per core by default.
    public var loops: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, limits: HTTPParserLimits = HTTPParserLimits(),
        maxConnections: Int = 4096, maxConnectionsPerClient: Int = 0, acceptBackoffLimit: Duration = .seconds(1),
        requestTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30), shutdownGrace: Duration = .seconds(10),
        loops: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = max(0, maxConnectionsPerClient)
        self.acceptBackoffLimit = acceptBackoffLimit
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGrace = shutdownGrace
        self.loops = max(1, loops)
    }
}
