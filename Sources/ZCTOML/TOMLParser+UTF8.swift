/// UTF-8 validation of the input and decoding of single characters for error messages.
extension TOMLParser {
    /// Throws at the first byte that is not part of well-formed UTF-8 (overlong forms, surrogates and values
    /// above U+10FFFF included).
    func validateUTF8() throws(TOMLError) {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondRange = 0x80...0x9F
            case 0xF0: length = 4; secondRange = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondRange = 0x80...0x8F
            default:
                throw error("invalid UTF-8: unexpected byte 0x\(TOMLParser.hex(UInt32(lead), width: 2))", at: index)
            }
            guard index + length <= count else {
                throw error("invalid UTF-8: truncated sequence at the end of the document", at: index)
            }
            guard secondRange.contains(bytes[index + 1]) else {
                throw error(
                    "invalid UTF-8 sequence starting with byte 0x\(TOMLParser.hex(UInt32(lead), width: 2))",
                    at: index)
            }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                throw error(
                    "invalid UTF-8 sequence starting with byte 0x\(TOMLParser.hex(UInt32(lead), width: 2))",
                    at: index)
            }
            index += length
        }
    }

    /// The Unicode scalar starting at `offset`, if the bytes there are well-formed UTF-8.
    func scalar(at offset: Int) -> Unicode.Scalar? {
        guard offset < bytes.count else { return nil }
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return scalar
        }
        return nil
    }
}
