import Testing

@testable import ZCPlatform

/// The token of an `Authorization` header, read on its bytes: what `String` handling read before.
@Suite("Bearer header")
struct BearerValueTests {
    @Test("the scheme in any case, the token trimmed; anything else is no token")
    func parsing() {
        let cases: [(String?, Substring?)] = [
            ("Bearer zcp_abc", "zcp_abc"), ("bearer zcp_abc", "zcp_abc"), ("BEARER zcp_abc", "zcp_abc"),
            ("BeArEr \t zcp_abc \r\n", "zcp_abc"), ("Bearer    ", ""), ("Bearer zcp a", "zcp a"),
            (nil, nil), ("", nil), ("Bearer ", nil), ("Bearer", nil), ("Basic dXNlcjpwYXNz", nil),
            ("Bearer\tzcp_abc", nil), ("Bearer\u{0}zcp_abc", nil), ("Bearerxzcp_abc", nil), ("Béarer zcp_abc", nil),
            ("zcp_abc", nil),
        ]
        for (header, expected) in cases {
            #expect(AuthService.bearerValue(header) == expected, "\(header.debugDescription)")
        }
    }
}
