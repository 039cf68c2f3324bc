extension Array where Element == UInt8 {
    /// Appends `value` in decimal (`-42`), as `String(value)` would write it, without making the String:
    /// log lines and JSON answers write thousands of numbers.
    @inlinable
    public mutating func appendDecimal(_ value: some BinaryInteger) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = count
        repeat {
            append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        self[start...].reverse()
    }
}
