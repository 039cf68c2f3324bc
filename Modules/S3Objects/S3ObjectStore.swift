import Foundation
import Synchronization
import ZCCore
import ZCCrypto
import ZCHTTP

/// Objects in an S3 bucket (AWS S3, MinIO, Ceph RGW, R2) over the project's HTTP client, every request
/// signed with Signature Version 4. Large bodies go up as multipart uploads; a failed one is aborted.
/// Requests the service could not take (a connection error, a 5xx, a 429) are tried again with backoff.
public final class S3ObjectStore: ObjectStore {
    public let driver = "s3"
    public let configuration: S3Configuration
    let client: HTTPClient
    let signer: SignatureV4
    private let retries = Atomic<Int>(0)

    public init(configuration: S3Configuration, client: HTTPClient) throws(ObjectStoreError) {
        guard S3Configuration.isValidBucket(configuration.bucket) else {
            throw ObjectStoreError(
                .missingContainer, "\(configuration.bucket) is not an S3 bucket name (3-63 of a-z, 0-9, . and -)")
        }
        guard
            configuration.prefix.isEmpty
                || (configuration.prefix.hasSuffix("/") && ObjectKey.isValidPrefix(configuration.prefix))
        else {
            throw ObjectStoreError(.invalidKey, key: configuration.prefix, "an S3 prefix is a key prefix ending in /")
        }
        guard !configuration.endpoint.secure else {
            throw ObjectStoreError(
                .unavailable,
                "\(configuration.endpoint) is https: this build's HTTP client speaks plain HTTP only; use an http:// endpoint on a trusted network"
            )
        }
        guard configuration.partSize >= 5 << 20 || configuration.multipartThreshold >= Int.max / 2 else {
            throw ObjectStoreError(.invalidKey, "an S3 part is 5 MiB at least")
        }
        self.configuration = configuration
        self.client = client
        signer = SignatureV4(
            accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
            sessionToken: configuration.sessionToken, region: configuration.region)
    }

    public var location: String { "s3://\(configuration.bucket)/\(configuration.prefix)" }

    /// Requests tried again since start (a figure for `/metrics`).
    public var retriedRequests: Int { retries.load(ordering: .relaxed) }

    // MARK: - The five calls

    public func put(_ key: ObjectKey, _ body: ObjectBody) async throws {
        if let size = body.size, size <= configuration.multipartThreshold {
            let bytes = try body.readAll(limit: configuration.multipartThreshold)
            _ = try await send(.put, key: key, body: bytes, expect: [200])
        } else {
            try await putMultipart(key, body)
        }
    }

    public func get(_ key: ObjectKey) async throws -> ObjectStream {
        let response = try await stream(.get, key: key)
        let size = response.headers["Content-Length"].flatMap { Int($0) }
        let body = S3Body(response)
        return ObjectStream(size: size) { try await body.next() }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        do {
            let response = try await send(.head, key: key, expect: [200])
            let size = response.headers["Content-Length"].flatMap { Int($0) } ?? 0
            let modified = response.headers["Last-Modified"].flatMap(Self.httpDate) ?? 0
            return ObjectInfo(key: key.path, size: size, modified: modified)
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return nil
        }
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        guard ObjectKey.isValidPrefix(prefix) else {
            throw ObjectStoreError(.invalidKey, key: String(prefix.prefix(80)), "not a valid key prefix")
        }
        var found: [ObjectInfo] = []
        var token: String?
        repeat {
            var query = [
                ("list-type", "2"), ("prefix", configuration.prefix + prefix),
                ("max-keys", String(configuration.listPageSize)),
            ]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send(.get, path: bucketPath, query: query, expect: [200])
            let xml = Substring(response.text)
            for contents in S3XML.elements("Contents", in: xml) {
                guard let full = S3XML.value("Key", in: contents), full.hasPrefix(configuration.prefix) else {
                    continue
                }
                let key = String(full.dropFirst(configuration.prefix.count))
                let size = S3XML.value("Size", in: contents).flatMap { Int($0) } ?? 0
                let modified = S3XML.value("LastModified", in: contents).flatMap(Self.isoDate) ?? 0
                found.append(ObjectInfo(key: key, size: size, modified: modified))
            }
            token =
                S3XML.value("IsTruncated", in: xml) == "true" ? S3XML.value("NextContinuationToken", in: xml) : nil
        } while token != nil
        return found.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func delete(_ key: ObjectKey) async throws {
        _ = try await send(.delete, key: key, expect: [200, 204, 404])
    }

    public func shutdown() async { await client.shutdown() }

    // MARK: - Multipart

    private func putMultipart(_ key: ObjectKey, _ body: ObjectBody) async throws {
        let created = try await send(.post, key: key, query: [("uploads", "")], expect: [200])
        guard let upload = S3XML.value("UploadId", in: Substring(created.text)) else {
            throw ObjectStoreError(.malformedAnswer, key: key.path, "the multipart upload has no UploadId")
        }
        do {
            var parts: [(number: Int, etag: String)] = []
            while let piece = try body.read(max: configuration.partSize) {
                let number = parts.count + 1
                let response = try await send(
                    .put, key: key, query: [("partNumber", String(number)), ("uploadId", upload)], body: piece,
                    expect: [200])
                guard let etag = response.headers["ETag"] else {
                    throw ObjectStoreError(.malformedAnswer, key: key.path, "part \(number) has no ETag")
                }
                parts.append((number, etag))
            }
            if parts.isEmpty {
                try await abort(key, upload)
                _ = try await send(.put, key: key, body: [], expect: [200])
                return
            }
            let document =
                "<CompleteMultipartUpload>"
                + parts.map {
                    "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(S3XML.escape($0.etag))</ETag></Part>"
                }
                .joined() + "</CompleteMultipartUpload>"
            let completed = try await send(
                .post, key: key, query: [("uploadId", upload)], body: Array(document.utf8), expect: [200])
            // S3 may answer 200 and then report a failure in the body.
            if let code = S3XML.value("Code", in: Substring(completed.text)) {
                throw ObjectStoreError(.unavailable, key: key.path, "completing the upload failed: \(code)")
            }
        } catch {
            try? await abort(key, upload)
            throw error
        }
    }

    private func abort(_ key: ObjectKey, _ upload: String) async throws {
        _ = try await send(.delete, key: key, query: [("uploadId", upload)], expect: [200, 204, 404])
    }

    // MARK: - Requests

    var bucketPath: String { configuration.pathStyle ? "/\(configuration.bucket)/" : "/" }

    var host: String {
        configuration.pathStyle ? configuration.endpoint.host : "\(configuration.bucket).\(configuration.endpoint.host)"
    }

    func path(of key: ObjectKey) -> String {
        bucketPath + SignatureV4.encode(configuration.prefix + key.path, keepSlash: true)
    }

    private func send(
        _ method: HTTPMethod, key: ObjectKey, query: [(String, String)] = [], body: [UInt8] = [], expect: Set<Int>
    ) async throws -> HTTPClientResponse {
        try await send(method, path: path(of: key), key: key.path, query: query, body: body, expect: expect)
    }

    private func send(
        _ method: HTTPMethod, path: String, key: String? = nil, query: [(String, String)], body: [UInt8] = [],
        expect: Set<Int>
    ) async throws -> HTTPClientResponse {
        try await withRetries(key: key) {
            let (target, headers) = try self.signed(method, path: path, query: query, body: body)
            let response: HTTPClientResponse
            do {
                response = try await self.client.execute(
                    method, .tcp(host: self.host, port: self.configuration.endpoint.port), target, headers: headers,
                    body: body)
            } catch let error as HTTPClientError {
                throw ObjectStoreError(.unavailable, key: key, "\(self.configuration.endpoint): \(error)")
            }
            guard expect.contains(response.status.code) else {
                throw self.failure(response.status.code, body: response.text, key: key)
            }
            return response
        }
    }

    private func stream(_ method: HTTPMethod, key: ObjectKey) async throws -> HTTPClientStream {
        try await withRetries(key: key.path) {
            let (target, headers) = try self.signed(method, path: self.path(of: key), query: [], body: [])
            let response: HTTPClientStream
            do {
                response = try await self.client.stream(
                    method, .tcp(host: self.host, port: self.configuration.endpoint.port), target, headers: headers)
            } catch let error as HTTPClientError {
                throw ObjectStoreError(.unavailable, key: key.path, "\(self.configuration.endpoint): \(error)")
            }
            guard response.status.code == 200 else {
                // An error answer is short; read at most 64 KiB of it, and drop the connection after.
                var text: [UInt8] = []
                for try await piece in response.body {
                    text += piece
                    if text.count >= 65_536 { break }
                }
                throw self.failure(response.status.code, body: String(decoding: text, as: UTF8.self), key: key.path)
            }
            return response
        }
    }

    private func signed(
        _ method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]
    ) throws -> (String, HTTPHeaders) {
        let hostHeader = configuration.endpoint.hostHeader(host)
        let payload = body.isEmpty ? SignatureV4.emptyPayloadHash : SHA256Digest.hash(body).hexString
        let added = try signer.sign(
            method: method.rawValue, host: hostHeader, path: path, query: query, headers: [], payloadHash: payload,
            date: Date())
        var headers = HTTPHeaders()
        headers.add("Host", hostHeader)
        for (name, value) in added { headers.add(name, value) }
        let canonical = SignatureV4.canonicalQuery(query)
        return (canonical.isEmpty ? path : path + "?" + canonical, headers)
    }

    private func withRetries<T>(key: String?, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as ObjectStoreError where error.isTransient && attempt < configuration.attempts {
                retries.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(200 << (attempt - 1)))
                attempt += 1
            }
        }
    }

    /// What S3's error answer says, in its words (the code and message, never the request's signature).
    func failure(_ status: Int, body: String, key: String?) -> ObjectStoreError {
        let xml = Substring(body)
        let code = S3XML.value("Code", in: xml) ?? "HTTP \(status)"
        let message = S3XML.value("Message", in: xml).map { ": \(String($0.prefix(200)))" } ?? ""
        let said = "\(location) answered \(status) \(code)\(message)"
        switch (status, code) {
        case (404, "NoSuchBucket"): return ObjectStoreError(.missingContainer, key: key, said)
        case (404, _): return ObjectStoreError(.notFound, key: key, said)
        case (403, _), (401, _): return ObjectStoreError(.refused, key: key, said)
        case (400, "KeyTooLongError"): return ObjectStoreError(.invalidKey, key: key, said)
        case (429, _), (500...599, _): return ObjectStoreError(.unavailable, key: key, said)
        default: return ObjectStoreError(.malformedAnswer, key: key, said)
        }
    }

    // MARK: - Dates

    /// `2026-12-08T00:00:00.000Z` → seconds since the epoch.
    static func isoDate(_ text: String) -> Int64? {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Int64(timegm(&parts))
    }

    /// `Tue, 08 Dec 2026 00:00:00 GMT` → seconds since the epoch.
    static func httpDate(_ text: String) -> Int64? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, let day = Int32(fields[1]), let year = Int32(fields[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(fields[2])) else { return nil }
        let clock = fields[4].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = clock[0]
        parts.tm_min = clock[1]
        parts.tm_sec = clock[2]
        return Int64(timegm(&parts))
    }
}

/// A GET's body, read by one consumer at a time.
final class S3Body: @unchecked Sendable {
    private var iterator: HTTPClientStream.Iterator

    init(_ response: HTTPClientStream) { iterator = response.makeAsyncIterator() }

    func next() async throws -> [UInt8]? {
        var copy = iterator
        let piece = try await copy.next()
        iterator = copy
        return piece
    }
}
