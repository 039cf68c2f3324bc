import Foundation
import Testing
import ZCArchive
import ZCConsole
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The console as the server sees it: its files (embedded, cached, compressed, under their budget), the
/// headers that keep a browser safe, the cookie session with its CSRF token, and the fleet table.
@Suite("Web console: files, cookie sessions, the fleet table")
struct ConsoleTests {
    @Test("/ and /ui/ serve the embedded console with a strict CSP, an ETag (304 when current) and gzip")
    func files() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let page = await api.call(.get, "/")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.text.contains(#"<script type="module" src="/ui/app.js"></script>"#))
        let policy = try #require(page.headers["Content-Security-Policy"])
        #expect(policy.contains("default-src 'self'") && !policy.contains("unsafe-inline") && !policy.contains("*"))
        #expect(page.headers["X-Frame-Options"] == "DENY" && page.headers["X-Content-Type-Options"] == "nosniff")
        #expect(!page.text.contains("<script>") && !page.text.contains("style="), "no inline script or style")

        let script = await api.call(.get, "/ui/app.js")
        #expect(script.status == 200 && script.headers["Content-Type"] == "text/javascript; charset=utf-8")
        let etag = try #require(script.headers["ETag"])
        let again = await api.call(.get, "/ui/app.js", headers: ["If-None-Match": etag])
        #expect(again.status == 304 && again.text.isEmpty)
        let weak = await api.call(.get, "/ui/app.js", headers: ["If-None-Match": #""x", W/\#(etag)"#])
        #expect(weak.status == 304, "weak comparison: a compressing proxy makes the tag weak")
        let other = await api.call(.get, "/ui/app.js", headers: ["If-None-Match": #""0000""#])
        #expect(other.status == 200)

        let zipped = await api.platform.api.responder.test(
            .get, "/ui/tenant.js", headers: ["Accept-Encoding": "gzip, br"])
        #expect(zipped.headers["Content-Encoding"] == "gzip" && zipped.headers["Vary"] == "Accept-Encoding")
        guard case .bytes(let compressed) = zipped.body else { throw TestFailure("a buffered body") }
        let plain = await api.call(.get, "/ui/tenant.js")
        #expect(compressed.count < plain.text.utf8.count / 2, "gzip at least halves the script")
        let refused = await api.platform.api.responder.test(
            .get, "/ui/tenant.js", headers: ["Accept-Encoding": "gzip;q=0"])
        #expect(refused.headers["Content-Encoding"] == nil)

        #expect(await api.call(.get, "/ui/missing.js").status == 404)
        #expect(await api.call(.get, "/ui/..%2Fzcplatform.db").status == 404)
        #expect(await api.call(.get, "/api/nothing").headers["X-Frame-Options"] == "DENY", "errors get them too")
        await api.close()
    }

    @Test("the console's scripts and styles stay under 60 KB before compression, hand-written, no source maps")
    func budget() {
        let assets = ConsoleAssets.embedded
        #expect(assets.index != nil)
        #expect(assets.codeBytes > 10_000, "the console is there")
        #expect(assets.codeBytes < 70_000, "JS + CSS is \(assets.codeBytes) bytes")
        for file in assets.files.values where file.name.hasSuffix(".js") {
            let text = String(decoding: file.bytes, as: UTF8.self)
            #expect(!text.contains("innerHTML") && !text.contains("eval("), "\(file.name) builds DOM from text only")
            #expect(!text.contains("localStorage.set") && !text.contains("sessionStorage.set"), "\(file.name)")
            // Shared state lives in session.js: a page importing the module that boots the app would run it
            // again under another name, or form a cycle.
            #expect(!text.contains("from './app.js'"), "\(file.name) imports shared state from session.js")
            // What a caller may do is the API's `actions`; no copy of the role ranking or the status guards.
            #expect(!text.contains("ranks") && !text.contains("may("), "\(file.name) keeps no copy of the roles")
        }
    }

    @Test("the channel form's kinds and secret fields are the server's, in its order (the first is a lone secret's)")
    func channelKinds() throws {
        let file = try #require(ConsoleAssets.embedded.files.values.first { $0.name == "tenant.js" })
        let text = String(decoding: file.bytes, as: UTF8.self)
        let start = try #require(text.range(of: "const channelSecrets = {"))
        let end = try #require(text.range(of: "};", range: start.upperBound..<text.endIndex))
        // `kind: ['field', ...]` pairs, read as the console declares them.
        var declared: [String: [String]] = [:]
        var order: [String] = []
        for entry in text[start.upperBound..<end.lowerBound].split(separator: "]") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let kind = parts[0].trimmingCharacters(in: CharacterSet(charactersIn: " ,\n"))
            let fields = parts[1].split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map {
                String($0.element)
            }
            declared[kind] = fields
            order.append(kind)
        }
        #expect(order == ChannelKind.all.map(\.name), "the console offers every kind, in the server's order")
        for kind in ChannelKind.all {
            #expect(declared[kind.name] == kind.secrets, "\(kind.name)")
        }
    }

    @Test("a pasted token becomes an HttpOnly SameSite=Strict cookie session; writes need the CSRF header")
    func cookieSession() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("root@example.com", admin: true)
        let token = try await api.signIn("root@example.com")

        let anonymous = await api.call(.get, "/api/auth/session")
        #expect(anonymous.status == 200 && anonymous.json["signed_in"] as? Bool == false)

        let signIn = await api.call(.post, "/api/auth/session", json: #"{"token":"\#(token)"}"#)
        #expect(signIn.status == 200, "\(signIn.text)")
        let cookie = try #require(signIn.headers["Set-Cookie"])
        #expect(cookie.hasPrefix("zcplatform_session=zcp_"))
        for attribute in ["Path=/", "HttpOnly", "SameSite=Strict", "Max-Age="] { #expect(cookie.contains(attribute)) }
        #expect(!cookie.contains("Secure"), "plain HTTP: a Secure cookie would not be kept")
        let session = String(cookie.prefix { $0 != ";" }.dropFirst("zcplatform_session=".count))
        #expect(session != token, "the cookie holds a new session, never the pasted token")
        #expect(!signIn.text.contains(session) && !signIn.text.contains(token), "no token in the answer")
        let csrf = try #require(signIn.json["csrf_token"] as? String)
        #expect(signIn.headers["Cache-Control"] == "no-store")

        let jar: HTTPHeaders = ["Cookie": "theme=dark; zcplatform_session=\(session)"]
        let state = await api.call(.get, "/api/auth/session", headers: jar)
        #expect(state.json["signed_in"] as? Bool == true && state.json["csrf_token"] as? String == csrf)
        let me = await api.call(.get, "/api/auth/me", headers: jar)
        #expect(me.status == 200 && me.json["csrf_token"] as? String == csrf)
        #expect(await api.call(.get, "/api/auth/me", token: token).json["csrf_token"] == nil, "bearer: none")

        let tenant = #"{"id":"cookie-made","name":"Cookie"}"#
        let bare = await api.call(.post, "/api/tenants", json: tenant, headers: jar)
        #expect(bare.status == 403 && bare.error?.contains("X-CSRF-Token") == true)
        var forged = jar
        forged.add("X-CSRF-Token", String(csrf.reversed()))
        #expect(await api.call(.post, "/api/tenants", json: tenant, headers: forged).status == 403)
        var signed = jar
        signed.add("X-CSRF-Token", csrf)
        #expect(await api.call(.post, "/api/tenants", json: tenant, headers: signed).status == 201)

        let secure = await api.call(
            .post, "/api/auth/session", json: #"{"token":"\#(token)"}"#, headers: ["X-Forwarded-Proto": "https"])
        let secureCookie = try #require(secure.headers["Set-Cookie"])
        #expect(secureCookie.hasPrefix("__Host-zcplatform_session=zcp_") && secureCookie.hasSuffix("; Secure"))
        // A cookie planted by a sibling host (a plain name, sent first) loses to the __Host- one; a
        // malformed one is passed over, not a reason to sign the operator out.
        let hostSession = String(secureCookie.prefix { $0 != ";" }.dropFirst("__Host-zcplatform_session=".count))
        let planted = await api.call(
            .get, "/api/auth/me",
            headers: ["Cookie": "zcplatform_session=zcp_planted; __Host-zcplatform_session=\(hostSession)"])
        #expect(planted.status == 200)
        let junk = await api.call(
            .get, "/api/auth/me", headers: ["Cookie": "zcplatform_session=junk; zcplatform_session=\(session)"])
        #expect(junk.status == 200)

        let logout = await api.call(.post, "/api/auth/logout", headers: signed)
        #expect(logout.status == 204)
        #expect(logout.headers["Set-Cookie"]?.hasPrefix("zcplatform_session=; Path=/; Max-Age=0") == true)
        #expect(await api.call(.get, "/api/auth/me", headers: jar).status == 401, "the session is revoked")
        #expect(await api.call(.get, "/api/auth/session", headers: jar).json["signed_in"] as? Bool == false)
        #expect(await api.call(.get, "/api/auth/me", token: token).status == 200, "the pasted token lives on")

        let logins = try await api.store.read { try await $0.auditEvents(AuditQuery(action: "auth.login")) }.events
        #expect(logins.contains { $0.detail["with"] != nil }, "a token sign-in is audited with the token it used")
        await api.close()
    }

    @Test("sign-in refusals: a bad token 401, a scoped token 403, half a code 422, not JSON 415")
    func refusals() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("root@example.com", admin: true)
        let token = try await api.signIn("root@example.com")
        let routes = await api.call(
            .post, "/api/auth/tokens", token: token, json: #"{"name":"lb","scope":"routes"}"#)
        let scoped = try #require(routes.json["token"] as? String)

        #expect(await api.call(.post, "/api/auth/session", json: #"{"token":"zcp_nope"}"#).status == 401)
        #expect(await api.call(.post, "/api/auth/session", json: #"{"token":"\#(scoped)"}"#).status == 403)
        #expect(await api.call(.post, "/api/auth/session", json: #"{"email":"root@example.com"}"#).status == 422)
        #expect(await api.call(.post, "/api/auth/session", json: #"{"token":"x","code":"1"}"#).status == 422)
        #expect(await api.call(.post, "/api/auth/session", json: #"{"token":"x","extra":1}"#).status == 422)
        let form = await api.call(
            .post, "/api/auth/session", headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415, "a cross-site form cannot sign anyone in")
        // A `no-cors` fetch sends a body without a type: refused too.
        let untyped = await api.platform.api.responder.test(
            .post, "/api/auth/session", body: Array(#"{"token":"\#(token)"}"#.utf8))
        #expect(untyped.status.code == 415)
        // Another site, even a sibling host (a tenant's agent), cannot start a sign-in.
        let sibling = await api.call(
            .post, "/api/auth/session", json: #"{"token":"\#(token)"}"#, headers: ["Sec-Fetch-Site": "same-site"])
        #expect(sibling.status == 403)
        let own = await api.call(
            .post, "/api/auth/session", json: #"{"token":"\#(token)"}"#, headers: ["Sec-Fetch-Site": "same-origin"])
        #expect(own.status == 200)
        // A stale cookie on the sign-in itself is no obstacle.
        let stale = await api.call(
            .post, "/api/auth/session", json: #"{"token":"\#(token)"}"#,
            headers: ["Cookie": "zcplatform_session=zcp_revoked"])
        #expect(stale.status == 200)
        // A cookie that is not a token's shape is ignored: a 401 as without one.
        #expect(await api.call(.get, "/api/tenants", headers: ["Cookie": "zcplatform_session=abc"]).status == 401)
        await api.close()
    }

    @Test("/api/fleet: every tenant for a super-admin, a member's own only; usage today; 304 while unchanged")
    func fleetTable() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let admin = try await api.user("root@example.com", admin: true)
        let member = try await api.user("member@example.com")
        _ = admin
        let now = Timestamp.now()
        let day = Timestamp(seconds: now.seconds - now.seconds % 86_400)
        try await api.store.withTransaction { transaction in
            for id in ["alpha", "bravo", "charlie"] {
                try await transaction.insertTenant(
                    Tenant(id: try TenantID(id), name: id.capitalized, plan: "default", status: .draft, createdAt: now))
            }
            try await transaction.setMembership(
                Membership(tenantID: try TenantID("bravo"), userID: member.id, role: .viewer, createdAt: now))
            try await transaction.insertSnapshots([
                ResourceSnapshot(
                    tenantID: try TenantID("bravo"), collectedAt: now, cpuPct: 12.345, memBytes: 100 << 20,
                    memLimit: 256 << 20, diskBytes: 4096, netIn: 1, netOut: 2, pids: 3)
            ])
            try await transaction.addUsage([
                UsageHour(tenantID: try TenantID("bravo"), hour: day, messages: 7, tokensIn: 100, tokensOut: 50),
                // Yesterday's: not today's.
                UsageHour(
                    tenantID: try TenantID("bravo"), hour: day.adding(seconds: -3600), messages: 1000, tokensIn: 1,
                    tokensOut: 1),
            ])
        }
        let rootToken = try await api.signIn("root@example.com")
        let all = await api.call(.get, "/api/fleet", token: rootToken)
        #expect(all.status == 200)
        let rows = try #require(all.json["tenants"] as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["alpha", "bravo", "charlie"])
        let bravo = try #require(rows.first { $0["id"] as? String == "bravo" })
        #expect(bravo["cpu_pct"] as? Double == 12.35 && bravo["mem_bytes"] as? Int == 100 << 20)
        #expect(bravo["mem_limit"] as? Int == 256 << 20 && bravo["disk_bytes"] as? Int == 4096)
        #expect(bravo["messages_today"] as? Int == 7 && bravo["tokens_today"] as? Int == 150)
        #expect(bravo["status"] as? String == "draft" && bravo["started_at"] == nil)
        let etag = try #require(all.headers["ETag"])
        let same = await api.call(.get, "/api/fleet", token: rootToken, headers: ["If-None-Match": etag])
        #expect(same.status == 304)

        let own = await api.call(.get, "/api/fleet", token: try await api.signIn("member@example.com"))
        #expect((own.json["tenants"] as? [[String: Any]])?.map { $0["id"] as? String } == ["bravo"])
        #expect(own.headers["ETag"] != etag)
        #expect(await api.call(.get, "/api/fleet").status == 401)

        // The hand-written JSON says exactly what JSONEncoder would.
        struct Encoded: Encodable {
            let day: Timestamp
            let tenants: [FleetRowView]
        }
        let table = try await api.platform.services.fleet.table(for: .system("test"))
        let written =
            try JSONSerialization.jsonObject(with: Data(FleetController.json(table, execAvailable: true)))
            as? NSDictionary
        let views = table.rows.map { FleetRowView($0, isSuperAdmin: table.isSuperAdmin, execAvailable: true) }
        let encoded = try JSONSerialization.jsonObject(
            with: Data(JSONBody.encoded(Encoded(day: table.day, tenants: views))))
        #expect(written != nil && written == encoded as? NSDictionary)

        try await api.store.withTransaction {
            try await $0.addUsage([
                UsageHour(tenantID: try TenantID("alpha"), hour: day, messages: 1, tokensIn: 1, tokensOut: 1)
            ])
        }
        let changed = await api.call(.get, "/api/fleet", token: rootToken, headers: ["If-None-Match": etag])
        #expect(changed.status == 200, "a change is a new ETag")
        await api.close()
    }
}

extension ConsoleTests {
    @Test(
        "what an anonymous client controls (cookies, encodings, validators, file names) gets a clear answer, never a 500"
    )
    func hostileHeaders() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let pairs = (0..<400).map { "c\($0)=\(String(repeating: "x", count: 10))" }.joined(separator: "; ")
        for cookie in [
            pairs, ";;;; = ; =x; zcplatform_session", "zcplatform_session=", "zcplatform_session==zcp_a=b",
            "zcplatform_session=zcp_" + String(repeating: "A", count: 200), "__Host-zcplatform_session=\u{0}zcp_",
        ] {
            let answer = await api.call(.get, "/api/tenants", headers: ["Cookie": cookie])
            #expect(answer.status == 401, "\(cookie.prefix(40)): \(answer.status) \(answer.text)")
            #expect(
                await api.call(.get, "/api/auth/session", headers: ["Cookie": cookie]).json["signed_in"] as? Bool
                    == false)
        }
        for encoding in [
            "gzip;q=abc", "gzip;q=-1", ",,,,", "gzip;;;q", "GZIP ; Q=0.000", String(repeating: "gzip,", count: 500),
        ] {
            let answer = await api.platform.api.responder.test(
                .get, "/ui/app.js", headers: ["Accept-Encoding": encoding])
            #expect(answer.status == .ok, "\(encoding.prefix(30))")
            let zipped = answer.headers["Content-Encoding"] == "gzip"
            #expect(
                zipped == !(encoding.hasPrefix("gzip;q=-1") || encoding.hasPrefix("GZIP ; Q=0") || encoding == ",,,,"))
        }
        for validator in ["W/", "\"", "W/\"\"", String(repeating: "\"a\",", count: 1000), ""] {
            #expect(await api.call(.get, "/ui/app.js", headers: ["If-None-Match": validator]).status == 200)
        }
        #expect(await api.call(.get, "/ui/app.js", headers: ["If-None-Match": "*"]).status == 304)
        for name in ["%00", "..", "app.js%00.css", String(repeating: "a", count: 2000) + ".js", "%2e%2e%2fvault.key"] {
            #expect(await api.call(.get, "/ui/\(name)").status == 404, "\(name.prefix(30))")
        }
        await api.close()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
