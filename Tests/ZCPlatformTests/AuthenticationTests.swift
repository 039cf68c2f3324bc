import Foundation
import Testing
import ZCCore
import ZCCrypto

@testable import ZCPlatform

@Suite("Authentication: one-time codes, sessions, API tokens")
struct AuthenticationTests {
    @Test("code → session → /me → logout; the revoked token is refused on the next request")
    func loginFlow() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("Alice@Example.com")
        let token = try await api.signIn("alice@example.com")
        #expect(token.hasPrefix("zcp_"))
        let me = await api.call(.get, "/api/auth/me", token: token)
        #expect(me.status == 200)
        #expect((me.json["user"] as? [String: Any])?["email"] as? String == "alice@example.com")
        let logout = await api.call(.post, "/api/auth/logout", token: token)
        #expect(logout.status == 204)
        let after = await api.call(.get, "/api/auth/me", token: token)
        #expect(after.status == 401)
        #expect(after.headers["WWW-Authenticate"] == "Bearer")
        let actions = try await api.store.read { try await $0.auditEvents(AuditQuery()) }.events.map(\.action)
        #expect(
            actions.contains("auth.code_requested") && actions.contains("auth.login") && actions.contains("auth.logout")
        )
        await api.close()
    }

    @Test("an unknown or disabled email gets the very same answer and no code")
    func noEnumeration() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("known@example.com")
        var disabled = try await api.user("off@example.com")
        disabled.isDisabled = true
        let user = disabled
        try await api.store.withTransaction { try await $0.updateUser(user) }
        let known = await api.call(.post, "/api/auth/otp/request", json: #"{"email":"known@example.com"}"#)
        let unknown = await api.call(.post, "/api/auth/otp/request", json: #"{"email":"nobody@example.com"}"#)
        let off = await api.call(.post, "/api/auth/otp/request", json: #"{"email":"off@example.com"}"#)
        #expect(known.status == 202 && unknown.status == 202 && off.status == 202)
        #expect(known.text == unknown.text && unknown.text == off.text)
        #expect(api.notifier.code(for: "nobody@example.com") == nil)
        #expect(api.notifier.code(for: "off@example.com") == nil)
        let guess = await api.call(
            .post, "/api/auth/otp/verify", json: #"{"email":"nobody@example.com","code":"123456"}"#)
        let wrong = await api.call(
            .post, "/api/auth/otp/verify", json: #"{"email":"known@example.com","code":"000000"}"#)
        #expect(guess.status == 401 && wrong.status == 401)
        #expect(guess.text == wrong.text, "the same 401 for every failure")
        await api.close()
    }

    @Test(
        "brute force is stopped: after 5 attempts per email per window, 429 with Retry-After, even for the right code")
    func bruteForce() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("target@example.com")
        _ = await api.call(.post, "/api/auth/otp/request", json: #"{"email":"target@example.com"}"#)
        let code = try #require(api.notifier.code(for: "target@example.com"))
        let wrong = code == "111111" ? "222222" : "111111"
        var statuses: [Int] = []
        for _ in 0..<6 {
            statuses.append(
                await api.call(
                    .post, "/api/auth/otp/verify", json: #"{"email":"target@example.com","code":"\#(wrong)"}"#
                )
                .status)
        }
        #expect(statuses == [401, 401, 401, 401, 429, 429], "request + 4 guesses reach the limit of 5")
        let right = await api.call(
            .post, "/api/auth/otp/verify", json: #"{"email":"target@example.com","code":"\#(code)"}"#)
        #expect(right.status == 429)
        #expect(right.headers["Retry-After"] == "300")
        let failures = try await api.store.read { try await $0.auditEvents(AuditQuery(action: "auth.login_failed")) }
        #expect(failures.events.count == 4)
        let limited = try await api.store.read { try await $0.auditEvents(AuditQuery(action: "auth.rate_limited")) }
        #expect(limited.events.count == 1, "the first refusal of a window is audited; the others only counted")
        await api.close()
    }

    @Test("a code is single use and expires")
    func singleUseAndExpiry() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let user = try await api.user("once@example.com")
        _ = try await api.signIn("once@example.com")
        let code = try #require(api.notifier.code(for: "once@example.com"))
        let reused = await api.call(
            .post, "/api/auth/otp/verify", json: #"{"email":"once@example.com","code":"\#(code)"}"#)
        #expect(reused.status == 401, "a used code does not work twice")
        // An expired code: verify at a time past its expiry through the service.
        let auth = AuthService(
            store: api.store, notifier: api.notifier, settings: api.platform.configuration.auth, logger: .disabled)
        let now = Timestamp.now()
        try await auth.requestCode(email: user.email, clientIP: "x", now: now)
        let fresh = try #require(api.notifier.code(for: user.email))
        await #expect(throws: (any Error).self) {
            _ = try await auth.verify(email: user.email, code: fresh, clientIP: "x", now: now.adding(seconds: 601))
        }
        await api.close()
    }

    @Test("API tokens: shown once, listed without their value, usable, revoked at once")
    func apiTokens() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("bot@example.com")
        let session = try await api.signIn("bot@example.com")
        let created = await api.call(
            .post, "/api/auth/tokens", token: session, json: #"{"name":"ci deploys","expires_in_days":30}"#)
        #expect(created.status == 201)
        let token = try #require(created.json["token"] as? String)
        let listed = await api.call(.get, "/api/auth/tokens", token: token)
        #expect(listed.status == 200)
        #expect(!listed.text.contains(token), "a token is never shown again")
        #expect(listed.array.contains { $0["name"] as? String == "ci deploys" && $0["kind"] as? String == "api" })
        let id = try #require((created.json["details"] as? [String: Any])?["id"] as? Int)
        #expect(await api.call(.delete, "/api/auth/tokens/\(id)", token: session).status == 204)
        #expect(await api.call(.get, "/api/auth/me", token: token).status == 401, "revoked at once")
        #expect(
            await api.call(.post, "/api/auth/tokens", token: session, json: #"{"name":"x","expires_in_days":9999}"#)
                .status == 422)
        #expect(
            await api.call(.post, "/api/auth/tokens", token: session, json: #"{"name":"x","scope":"all"}"#).status
                == 422)
        await api.close()
    }

    @Test("no token, a malformed one, an unknown one, an expired one, a disabled user: 401")
    func refusals() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        var user = try await api.user("u@example.com")
        let token = try await api.signIn("u@example.com")
        #expect(await api.call(.get, "/api/auth/me").status == 401)
        #expect(await api.call(.get, "/api/auth/me", headers: ["Authorization": "Basic abc"]).status == 401)
        #expect(await api.call(.get, "/api/auth/me", token: "zcp_not-a-real-token").status == 401)
        let expired = try BearerToken.generate()
        let expiredHash = expired.hash
        let userID = user.id
        try await api.store.withTransaction {
            _ = try await $0.insertAccessToken(
                NewAccessToken(
                    userID: userID, kind: .api, name: "old", tokenHash: expiredHash,
                    createdAt: Timestamp(seconds: 1000), expiresAt: Timestamp(seconds: 2000)))
        }
        #expect(await api.call(.get, "/api/auth/me", token: expired.value).status == 401)
        user.isDisabled = true
        let disabled = user
        try await api.store.withTransaction { try await $0.updateUser(disabled) }
        #expect(await api.call(.get, "/api/auth/me", token: token).status == 401, "disabled at once")
        #expect(
            await api.call(.post, "/api/auth/otp/request", json: #"{"email":"u@example.com","extra":1}"#).status == 422)
        await api.close()
    }
}
