import Synchronization
import ZCCore

/// Request ids: a random prefix per process and a counter, e.g. `7f3a9c01-00000000002a`. Unique, cheap,
/// and unguessable across restarts. A sane `X-Request-Id` from a proxy in front is kept instead.
enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt32, radix: 16).leftPadded(to: 8)
    }()
    private static let counter = Atomic<UInt64>(0)

    private static let prefixBytes = Array(prefix.utf8)
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// `prefix-` and the counter in 12 hexadecimal digits, written into the string's own storage (once
    /// per request: formatting with `String(_:radix:)` and padding cost a few allocations).
    static func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 21) { buffer in
            for (index, byte) in prefixBytes.enumerated() { buffer[index] = byte }
            buffer[8] = UInt8(ascii: "-")
            let digits = hexDigits.utf8Start
            var rest = value
            for index in stride(from: 20, through: 9, by: -1) {
                buffer[index] = digits[Int(rest & 0xF)]
                rest >>= 4
            }
            return 21
        }
    }

    /// The id a client or proxy sent, when it is 1 to 64 characters of letters, digits, `-`, `_`, `.`.
    static func accepting(_ supplied: String?) -> String? {
        guard let supplied, (1...64).contains(supplied.utf8.count),
            supplied.utf8.allSatisfy({ HTTPToken.isTokenByte($0) && $0 != UInt8(ascii: "%") })
        else { return nil }
        return supplied
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
