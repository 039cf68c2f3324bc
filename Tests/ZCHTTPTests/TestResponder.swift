import Foundation
import ZCHTTP

/// Answers test paths: `/hello`, `/echo` (the body back), `/slow?ms=N`, `/stream?n=N`, `/id`.
struct TestResponder: HTTPResponder {
    func respond(to request: HTTPRequest, info: HTTPRequestInfo) async -> HTTPResponse {
        switch request.path {
        case "/hello":
            return HTTPResponse(headers: ["Content-Type": "text/plain"], bytes: Array("hello".utf8))
        case "/echo":
            return HTTPResponse(headers: ["Content-Type": "application/octet-stream"], bytes: request.body)
        case "/slow":
            let milliseconds = Int(request.queryParameter("ms") ?? "100") ?? 100
            try? await Task.sleep(for: .milliseconds(milliseconds))
            return HTTPResponse(bytes: Array("slept \(milliseconds)".utf8))
        case "/stream":
            let count = Int(request.queryParameter("n") ?? "3") ?? 3
            return HTTPResponse(
                headers: ["Content-Type": "text/event-stream"],
                body: .stream { writer in
                    for index in 0..<count {
                        try await writer.write(Array("data: event \(index)\n\n".utf8))
                    }
                })
        case "/id":
            return HTTPResponse(bytes: Array(info.requestID.utf8))
        default:
            return HTTPResponse(status: .notFound, bytes: Array("no".utf8))
        }
    }
}
