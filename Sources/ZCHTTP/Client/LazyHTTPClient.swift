import Synchronization

/// An HTTP client made on first use and shut down once: for services that may be built and never run
/// (a platform opened for a command), which should then hold no thread or descriptor.
public final class LazyHTTPClient: Sendable {
    private let configuration: HTTPClientConfiguration
    private let state = Mutex<(client: HTTPClient?, closed: Bool)>((nil, false))

    public init(configuration: HTTPClientConfiguration) {
        self.configuration = configuration
    }

    /// The client, made now if this is the first call; fails after `shutdown()`.
    public func client() throws -> HTTPClient {
        try state.withLock { state in
            guard !state.closed else { throw HTTPClientError.shutDown }
            if let client = state.client { return client }
            let client = try HTTPClient(configuration: configuration)
            state.client = client
            return client
        }
    }

    public func shutdown() async {
        let client = state.withLock { state in
            state.closed = true
            defer { state.client = nil }
            return state.client
        }
        await client?.shutdown()
    }
}
