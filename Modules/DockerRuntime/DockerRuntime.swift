import Foundation
import Synchronization
import ZCCore
import ZCHTTP

/// Tenants' agents as Docker containers, through the Engine API on its unix socket (no `docker` CLI).
///
/// "Already started" and "already stopped" (`304`) are successes; "no such container" is
/// `ContainerRuntimeError.notFound`; a daemon that cannot be reached is `unavailable` (503).
public final class DockerRuntime: ContainerRuntime {
    public let driver = "docker"
    public let isolated = true
    public let options: DockerRuntimeOptions
    let engine: DockerEngine
    let logger: Logger
    /// Reads counters from cgroup files; nil when this host shows none or the options turn it off.
    let cgroupReader: CgroupStatsReader?
    /// Containers' cgroup files found so far, by the name the platform uses.
    let cgroupTargets = Mutex<[ContainerID: CgroupStatsReader.Target]>([:])
    /// Set once the containers' processes turn out not to be visible here (another host, another pid
    /// namespace): from then on the Engine API serves every sample.
    let cgroupsUnavailable = Mutex<Bool>(false)
    /// Set once the tenants' network is known to exist with inter-container traffic off.
    let tenantNetworkReady = Mutex<Bool>(false)

    public init(options: DockerRuntimeOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        cgroupReader = options.statsFromCgroups ? CgroupStatsReader.forThisHost() : nil
        engine = try DockerEngine(socketPath: options.socketPath, requestTimeout: options.requestTimeout)
    }

    public func shutdown() async { await engine.shutdown() }

    public func ping() async throws {
        try await engine.negotiate()
    }

    public func create(_ spec: ContainerSpec) async throws -> ContainerID {
        var spec = spec
        let named = spec.image
        spec.image = try await localName(of: named)
        let body = try DockerContainerConfig.body(spec, options: options)
        try await ensureTenantNetwork()
        for attempt in 0..<2 {
            let response = try await engine.request(
                .post, "/containers/create", query: [("name", spec.name)], body: body)
            switch response.status.code {
            case 404 where options.network == .bridge && DockerEngine.message(of: response).contains("network"):
                // Removed behind the platform's back: made again, once.
                tenantNetworkReady.withLock { $0 = false }
                guard attempt == 0 else { throw DockerEngine.error(response) }
                try await ensureTenantNetwork()
            case 201:
                guard case .object(let fields)? = JSONValue(jsonText: response.text),
                    case .string(let id)? = fields["Id"]
                else { throw ContainerRuntimeError.failed("the Docker daemon created a container without an id") }
                logger.info("container.created", ["container": spec.name, "id": String(id.prefix(12))])
                return ContainerID(id)
            case 404 where attempt == 0:
                try await pull(pullName(of: named))
            case 404:
                throw ContainerRuntimeError.imageNotFound(named)
            case 409:
                throw ContainerRuntimeError.conflict("a container named \(spec.name) already exists")
            default:
                throw DockerEngine.error(response)
            }
        }
        throw ContainerRuntimeError.imageNotFound(named)
    }

    /// `POST /images/create`: the answer is a stream of JSON progress objects; a failure arrives as one
    /// with an `error` field, under status 200.
    func pull(_ image: String) async throws {
        logger.notice("image.pull", ["image": image])
        let (name, tag) = Self.split(image)
        var query = [("fromImage", name)]
        if let tag { query.append(("tag", tag)) }
        let response: HTTPClientResponse
        do {
            response = try await engine.request(.post, "/images/create", query: query, timeout: .seconds(600))
        } catch ContainerRuntimeError.timedOut {
            throw ContainerRuntimeError.imageNotFound("\(image) (pulling it timed out)")
        }
        guard response.status == .ok else {
            throw ContainerRuntimeError.imageNotFound("\(image) (\(DockerEngine.message(of: response)))")
        }
        for line in response.text.split(separator: "\n") {
            if case .object(let fields)? = JSONValue(jsonText: String(line)), case .string(let error)? = fields["error"]
            {
                throw ContainerRuntimeError.imageNotFound("\(image) (\(error))")
            }
        }
    }

    /// `repo/name:tag` → (`repo/name`, `tag`); a digest reference is pulled whole.
    static func split(_ image: String) -> (String, String?) {
        if image.contains("@") { return (image, nil) }
        let slash = image.lastIndex(of: "/") ?? image.startIndex
        guard let colon = image[slash...].lastIndex(of: ":") else { return (image, "latest") }
        return (String(image[..<colon]), String(image[image.index(after: colon)...]))
    }

    public func start(_ id: ContainerID) async throws {
        let response = try await engine.request(.post, "/containers/\(id)/start")
        switch response.status.code {
        case 204, 304: return
        case 404: throw ContainerRuntimeError.notFound(id)
        default: throw DockerEngine.error(response, container: id)
        }
    }

    public func stop(_ id: ContainerID, timeout: Duration) async throws {
        let seconds = max(0, timeout.components.seconds)
        let response = try await engine.request(
            .post, "/containers/\(id)/stop", query: [("t", String(seconds))],
            timeout: options.requestTimeout + .seconds(seconds))
        switch response.status.code {
        case 204, 304: return
        case 404: throw ContainerRuntimeError.notFound(id)
        default: throw DockerEngine.error(response, container: id)
        }
    }

    public func restart(_ id: ContainerID, timeout: Duration) async throws {
        let seconds = max(0, timeout.components.seconds)
        let response = try await engine.request(
            .post, "/containers/\(id)/restart", query: [("t", String(seconds))],
            timeout: options.requestTimeout + .seconds(seconds))
        switch response.status.code {
        case 204: return
        case 404: throw ContainerRuntimeError.notFound(id)
        default: throw DockerEngine.error(response, container: id)
        }
    }

    public func remove(_ id: ContainerID, force: Bool) async throws {
        let response = try await engine.request(
            .delete, "/containers/\(id)", query: [("force", force ? "true" : "false"), ("v", "true")])
        switch response.status.code {
        case 204: return
        case 404: throw ContainerRuntimeError.notFound(id)
        default: throw DockerEngine.error(response, container: id)
        }
    }

    public func inspect(_ id: ContainerID) async throws -> ContainerInfo? {
        let response = try await engine.request(.get, "/containers/\(id)/json")
        switch response.status.code {
        case 200:
            do {
                return try response.decode(DockerInspect.self).info
            } catch {
                throw ContainerRuntimeError.failed("cannot read the inspection of \(id): \(error)")
            }
        case 404: return nil
        default: throw DockerEngine.error(response, container: id)
        }
    }

    public func list(labels: [String: String]) async throws -> [ContainerInfo] {
        let filters: JSONValue = [
            "label": .array(labels.sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") })
        ]
        let encoded = String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)
        let response = try await engine.request(
            .get, "/containers/json", query: [("all", "true"), ("filters", encoded)])
        guard response.status == .ok else { throw DockerEngine.error(response) }
        do {
            return try response.decode([DockerListEntry].self).map(\.info)
        } catch {
            throw ContainerRuntimeError.failed("cannot read the container list: \(error)")
        }
    }

    public func logs(
        _ id: ContainerID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void
    ) async throws {
        let query = [
            ("stdout", "true"), ("stderr", "true"), ("tail", String(max(0, options.tail))),
            ("timestamps", options.timestamps ? "true" : "false"), ("follow", options.follow ? "true" : "false"),
        ]
        // A followed log may stay quiet for hours: only cancellation ends the wait.
        let stream = try await engine.stream(
            .get, "/containers/\(id)/logs", query: query, timeout: options.follow ? .seconds(366 * 86_400) : nil)
        guard stream.status == .ok else {
            if stream.status == .notFound { throw ContainerRuntimeError.notFound(id) }
            var body: [UInt8] = []
            for try await piece in stream.body where body.count < 65_536 { body.append(contentsOf: piece) }
            throw DockerEngine.error(HTTPClientResponse(status: stream.status, headers: stream.headers, body: body))
        }
        var frames = DockerFrameDecoder()
        var splitter = LogLineSplitter()
        try await engine.transport {
            for try await piece in stream.body {
                for (source, payload) in try Self.decode(&frames, piece) {
                    for text in splitter.append(payload, from: source) { try await line(text) }
                }
            }
        }
        for text in splitter.finish() { try await line(text) }
    }

    static func decode(_ frames: inout DockerFrameDecoder, _ bytes: [UInt8]) throws -> [(LogLine.Stream, [UInt8])] {
        do {
            return try frames.append(bytes)
        } catch let error as DockerFrameDecoder.MalformedStream {
            throw ContainerRuntimeError.failed("the Docker daemon sent a malformed log stream: \(error)")
        }
    }

    public func stats(_ id: ContainerID) async throws -> ContainerStats {
        let response = try await engine.request(
            .get, "/containers/\(id)/stats", query: [("stream", "false"), ("one-shot", "true")])
        let sampled = DispatchTime.now().uptimeNanoseconds
        switch response.status.code {
        case 200:
            do {
                return try response.decode(DockerStats.self).stats(sampledAt: sampled)
            } catch {
                throw ContainerRuntimeError.failed("cannot read the statistics of \(id): \(error)")
            }
        case 404: throw ContainerRuntimeError.notFound(id)
        default: throw DockerEngine.error(response, container: id)
        }
    }
}
