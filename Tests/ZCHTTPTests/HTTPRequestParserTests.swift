import Testing

@testable import ZCHTTP

@Suite("HTTP/1.1 request parser (RFC 9112)")
struct HTTPRequestParserTests {
    func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) throws -> [HTTPRequest] {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        var requests: [HTTPRequest] = []
        while let request = try parser.next() { requests.append(request) }
        return requests
    }

    func refusal(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error as? HTTPParseError
        }
    }

    @Test("a simple GET: method, target, path, query, headers")
    func simpleGet() throws {
        let requests = try parse("GET /api/tenants?limit=10&q=a%20b HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == .get)
        #expect(request.path == "/api/tenants")
        #expect(request.query == "limit=10&q=a%20b")
        #expect(request.queryParameter("q") == "a b")
        #expect(request.queryParameter("limit") == "10")
        #expect(request.queryParameter("none") == nil)
        #expect(request.headers["host"] == "x")
        #expect(request.headers["ACCEPT"] == "*/*")
        #expect(request.keepAlive)
        #expect(request.body.isEmpty)
    }

    @Test("bodies by Content-Length and by chunks, with extensions and trailers")
    func bodies() throws {
        let fixed = try parse("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(fixed.first?.body == Array("hello world".utf8))
        let chunked = try parse(
            "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n")
        #expect(chunked.first?.body == Array("hello world".utf8))
        #expect(chunked.first?.headers["X-Checksum"] == nil, "trailers are not merged into headers")
    }

    @Test("pipelined requests come out one by one, in order")
    func pipelining() throws {
        let text =
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
            + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let requests = try parse(text)
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(requests[1].body == Array("hi".utf8))
        #expect(requests[2].keepAlive == false)
    }

    @Test("fed one byte at a time, the result is the same")
    func byteByByte() throws {
        let text =
            "\r\nPOST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /y HTTP/1.0\r\n\r\n"
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for byte in text.utf8 {
            parser.append([byte])
            while let request = try parser.next() { requests.append(request) }
        }
        #expect(requests.map(\.path) == ["/x", "/y"])
        #expect(requests[0].body == Array("abc".utf8))
        #expect(requests[1].version == .http1_0)
        #expect(requests[1].keepAlive == false, "HTTP/1.0 closes unless keep-alive is asked for")
        #expect(parser.bufferedBytes == 0)
    }

    @Test("a bare LF ends lines as RFC 9112 §2.2 allows; absolute-form targets give their path")
    func tolerated() throws {
        let requests = try parse("GET http://example.com/p?q=1 HTTP/1.1\nHost: example.com\n\n")
        #expect(requests.first?.path == "/p")
        #expect(requests.first?.query == "q=1")
    }

    @Test("Expect: 100-continue is noticed before the body arrives")
    func expectContinue() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.awaitingContinue)
        parser.append(Array("abc".utf8))
        #expect(try parser.next()?.body == Array("abc".utf8))
        #expect(!parser.awaitingContinue)
    }

    static let rejections: [(String, String, Int)] = [
        (
            "Content-Length with Transfer-Encoding",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400
        ),
        (
            "conflicting Content-Length",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400
        ),
        (
            "conflicting Content-Length in one field", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabc",
            400
        ),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("huge Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n", 400),
        ("whitespace before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("invalid token in a field name", "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400),
        ("control character in a value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{1}b\r\n\r\n", 400),
        ("invalid method token", "G(ET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("missing version", "GET /\r\nHost: x\r\n\r\n", 400),
        ("malformed version", "GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400),
        ("unsupported version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("a target not in origin form", "GET abc HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a bare CR", "GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n", 400),
        (
            "an unsupported transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            501
        ),
        ("chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("a bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (
            "chunk data longer than its size",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400
        ),
        ("an unknown expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
    ]

    @Test("malformed and hostile requests are refused with the right status", arguments: rejections)
    func rejected(_ name: String, _ text: String, _ status: Int) {
        let error = refusal(text)
        #expect(error?.status.code == status, "\(name): \(String(describing: error))")
        #expect(error?.reason.isEmpty == false)
    }

    @Test("limits: target 414, head 431, header count 431, body 413 (declared and chunked)")
    func limits() {
        let small = HTTPParserLimits(headBytes: 1024, targetBytes: 64, headerCount: 5, bodyBytes: 10)
        #expect(
            refusal("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: x\r\n\r\n", limits: small)?.status
                == .uriTooLong)
        #expect(
            refusal("GET /\(String(repeating: "a", count: 200))", limits: small)?.status == .uriTooLong,
            "before the line ends")
        #expect(
            refusal(
                "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n", limits: small)?
                .status == .headerFieldsTooLarge)
        #expect(
            refusal("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 2000))", limits: small)?.status
                == .headerFieldsTooLarge, "before the head ends")
        let many = (0..<6).map { "X-\($0): v\r\n" }.joined()
        #expect(refusal("GET / HTTP/1.1\r\nHost: x\r\n\(many)\r\n", limits: small)?.status == .headerFieldsTooLarge)
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: small)?.status
                == .payloadTooLarge)
        #expect(
            refusal(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n",
                limits: small)?
                .status == .payloadTooLarge)
    }

    @Test("after an error the parser refuses everything")
    func spent() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test("percent-decoding rejects malformed escapes and invalid UTF-8")
    func percent() {
        #expect(PercentEncoding.decode("a%2Fb") == "a/b")
        #expect(PercentEncoding.decode("%E2%9C%93") == "✓")
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%F") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }
}
