import Testing
import ZCCore

@testable import ZCPlatform

@Suite("Principal cache")
struct PrincipalCacheTests {
    static func principal(expiresIn seconds: Int64) -> Principal {
        let now = Timestamp.now()
        return Principal(
            user: User(id: 7, email: "a@example.com", isSuperAdmin: false, isDisabled: false, createdAt: now),
            token: AccessToken(
                id: 3, userID: 7, kind: .api, name: "t", tokenHash: [1, 2], createdAt: now,
                expiresAt: now.adding(seconds: seconds)))
    }

    @Test("an entry lasts the cache time, never past its token, and is forgotten on a change")
    func lifetime() {
        let cache = PrincipalCache(lifetime: .seconds(1))
        let hash: [UInt8] = [1, 2]
        cache.keep(Self.principal(expiresIn: 3600), hash: hash)
        #expect(cache.principal(hash: hash)?.user.id == 7)
        #expect(cache.principal(hash: hash, now: .now + .milliseconds(1_100)) == nil, "gone after the cache time")
        cache.keep(Self.principal(expiresIn: 3600), hash: hash)
        cache.forgetAll()
        #expect(cache.principal(hash: hash) == nil, "forgotten at once")
        cache.keep(Self.principal(expiresIn: 0), hash: hash)
        #expect(cache.principal(hash: hash) == nil, "a token at its end is not kept")
        let off = PrincipalCache(lifetime: .zero)
        off.keep(Self.principal(expiresIn: 3600), hash: hash)
        #expect(off.principal(hash: hash) == nil, "0 turns it off")
    }

    @Test("a flood of distinct tokens cannot grow it past its capacity")
    func bounded() {
        let cache = PrincipalCache(lifetime: .seconds(60))
        for index in 0..<(PrincipalCache.capacity + 50) {
            cache.keep(Self.principal(expiresIn: 3600), hash: withUnsafeBytes(of: index) { Array($0) })
        }
        #expect(cache.count <= PrincipalCache.capacity)
    }
}
