/// What one SMTP transaction carries: the sender and recipients the server is told (`MAIL FROM`,
/// `RCPT TO`), and the message.
struct MailEnvelope: Sendable {
    let sender: MailAddress
    let recipients: [MailAddress]
    /// The message as RFC 5322 writes it, CRLF line endings.
    let message: [UInt8]

    /// The message as sent after DATA (RFC 5321 §4.5.2): a `.` added before every line that starts with one,
    /// so no line of the message reads as the end, then the ending `.` line. A message that does not end in
    /// CRLF gets one first.
    static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        var block: [UInt8] = []
        block.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        for byte in message {
            if atLineStart, byte == 0x2E { block.append(0x2E) }
            block.append(byte)
            atLineStart = byte == 0x0A
        }
        if !block.isEmpty, block.suffix(2) != [0x0D, 0x0A] { block += [0x0D, 0x0A] }
        return block + [0x2E, 0x0D, 0x0A]
    }
}
