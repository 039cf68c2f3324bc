import ZCHTTP

/// Serves the console: its page at `/` and its files under `/ui/`. Everything it shows it reads from the
/// REST API, as any client would, so roles, audit and validation have one implementation.
public struct ConsoleRoutes: Sendable {
    let assets: ConsoleAssets

    public init(assets: ConsoleAssets = .embedded) {
        self.assets = assets
    }

    public func register(in router: inout Router) {
        router.get("/", page)
        router.get("/ui/{file}", file)
    }

    @Sendable func page(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        guard let index = assets.index else {
            throw HTTPError(.notFound, "this binary was built without its console")
        }
        return Self.serve(index, request)
    }

    @Sendable func file(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let name = try context.parameter("file")
        guard let file = assets.files[name] else { throw HTTPError(.notFound, "no console file '\(name)'") }
        return Self.serve(file, request)
    }

    static func serve(_ file: ConsoleFile, _ request: HTTPRequest) -> HTTPResponse {
        CacheableResponse.make(
            file.bytes, contentType: file.contentType, request: request, etag: file.etag, gzipped: file.gzipped)
    }
}
