import Testing

@testable import MailNotifier

/// Reading SMTP replies: single and multi-line, split across reads, and the bounds on what a server may send.
@Suite("SMTP replies")
struct SMTPReplyTests {
    static func replies(_ text: String, reader: SMTPReplyReader = SMTPReplyReader()) throws -> [SMTPReply] {
        var reader = reader
        reader.feed(Array(text.utf8))
        var replies: [SMTPReply] = []
        while let reply = try reader.next() { replies.append(reply) }
        return replies
    }

    @Test("single-line replies, one after another")
    func singleLine() throws {
        let replies = try Self.replies("220 mail.test ESMTP ready\r\n250 OK\r\n354\r\n")
        #expect(replies.map(\.code) == [220, 250, 354])
        #expect(replies.map(\.lines) == [["mail.test ESMTP ready"], ["OK"], [""]])
        #expect(replies[0].description == "220 mail.test ESMTP ready")
    }

    @Test("a multi-line reply is one reply, its lines in order, its offers read")
    func multiLine() throws {
        let text = "250-mail.test\r\n250-SIZE 33554432\r\n250-STARTTLS\r\n250-AUTH LOGIN PLAIN\r\n250 HELP\r\n"
        let replies = try Self.replies(text)
        try #require(replies.count == 1)
        #expect(replies[0].lines == ["mail.test", "SIZE 33554432", "STARTTLS", "AUTH LOGIN PLAIN", "HELP"])
        let capabilities = SMTPCapabilities(ehlo: replies[0])
        #expect(capabilities.startTLS)
        #expect(capabilities.authMechanisms == ["LOGIN", "PLAIN"])
        let old = SMTPCapabilities(ehlo: SMTPReply(code: 250, lines: ["mail.test", "AUTH=LOGIN"]))
        #expect(!old.startTLS)
        #expect(old.authMechanisms == ["LOGIN"])
    }

    @Test("bytes arriving one at a time, and bare LF endings, make the same replies")
    func splitAcrossReads() throws {
        var reader = SMTPReplyReader()
        var replies: [SMTPReply] = []
        for byte in Array("250-first\r\n250 second\n535 5.7.8 no\r\n".utf8) {
            reader.feed([byte])
            while let reply = try reader.next() { replies.append(reply) }
        }
        #expect(
            replies == [SMTPReply(code: 250, lines: ["first", "second"]), SMTPReply(code: 535, lines: ["5.7.8 no"])])
        #expect(!reader.hasBufferedBytes)
    }

    @Test("bytes after a finished reply are noticed (for STARTTLS)")
    func bufferedBytes() throws {
        var reader = SMTPReplyReader()
        reader.feed(Array("220 go ahead\r\n250 injected".utf8))
        #expect(try reader.next()?.code == 220)
        #expect(reader.hasBufferedBytes)
    }

    @Test(
        "malformed replies are protocol errors",
        arguments: [
            "HTTP/1.1 400 Bad Request\r\n", "25\r\n", "250_OK\r\n", "250-a\r\n251 b\r\n", "650 no such class\r\n",
            "abc def\r\n",
        ])
    func malformed(_ text: String) {
        #expect(throws: SMTPReplyReader.Malformed.self) { try Self.replies(text) }
    }

    @Test("a reply of more lines than allowed is refused; exactly that many is read")
    func lineCountBound() throws {
        let limit = SMTPReplyReader.defaultMaxLines
        let exact = String(repeating: "250-x\r\n", count: limit - 1) + "250 end\r\n"
        #expect(try Self.replies(exact).first?.lines.count == limit)
        let over = String(repeating: "250-x\r\n", count: limit) + "250 end\r\n"
        #expect(throws: SMTPReplyReader.Malformed(reason: "a reply of more than \(limit) lines")) {
            try Self.replies(over)
        }
    }

    @Test("a line longer than allowed is refused, even before its end arrives")
    func lineLengthBound() throws {
        let limit = SMTPReplyReader.defaultMaxLineLength
        let exact = "250 " + String(repeating: "a", count: limit - 4) + "\r\n"
        #expect(try Self.replies(exact).first?.lines.first?.count == limit - 4)
        let expected = SMTPReplyReader.Malformed(reason: "a reply line longer than \(limit) bytes")
        #expect(throws: expected) { try Self.replies("250 " + String(repeating: "a", count: limit) + "\r\n") }
        #expect(throws: expected) { try Self.replies("250 " + String(repeating: "a", count: limit * 2)) }
    }

    @Test("smaller bounds apply as given")
    func customBounds() {
        let reader = SMTPReplyReader(maxLines: 2, maxLineLength: 10)
        #expect(throws: SMTPReplyReader.Malformed.self) {
            try Self.replies("250-a\r\n250-b\r\n250 c\r\n", reader: reader)
        }
        #expect(throws: SMTPReplyReader.Malformed.self) { try Self.replies("250 0123456789\r\n", reader: reader) }
        #expect(throws: Never.self) { try Self.replies("250-a\r\n250 b\r\n", reader: reader) }
    }

    @Test("a reply's text in an error is one line, cut short, and secrets are redacted")
    func descriptions() {
        let reply = SMTPReply(code: 535, lines: ["5.7.8 bad\u{1B}[31m", String(repeating: "x", count: 400)])
        #expect(!reply.description.contains("\u{1B}"))
        #expect(reply.description.hasPrefix("535 5.7.8 bad"))
        #expect(reply.description.count <= 4 + SMTPReply.quotedLength + 1)
        let quoted = SMTPReply(code: 501, lines: ["cannot decode AGFkYQBzM2NyZXQ="]).redacting(["AGFkYQBzM2NyZXQ="])
        #expect(quoted.description == "501 cannot decode [redacted]")
        #expect(SMTPReply(code: 451, lines: []).isTransient)
        #expect(!SMTPReply(code: 550, lines: []).isTransient)
    }
}
