/// Parses the Prometheus text exposition format, version 0.0.4, as agents serve it at `/metrics`.
///
/// Follows https://prometheus.io/docs/instrumenting/exposition_formats/ and the reference parser: blank lines
/// and `#` comments are skipped, `# HELP` and `# TYPE` lines are recorded, blanks and tabs may surround tokens,
/// `\r\n` line endings and a last line without `\n` are accepted. A line that breaks a rule refuses the whole text
/// with a `PrometheusParseError` naming the line.
public enum PrometheusTextParser {
    /// Parses exposition text.
    public static func parse(_ text: String) throws(PrometheusParseError) -> PrometheusExposition {
        var text = text
        return try text.withUTF8 { bytes in
            Result { () throws(PrometheusParseError) in try parse(buffer: bytes) }
        }.get()
    }

    /// Parses exposition text given as UTF-8 bytes (an HTTP response body); label values and docstrings must be
    /// valid UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(PrometheusParseError) -> PrometheusExposition {
        try bytes.withUnsafeBufferPointer { bytes in
            Result { () throws(PrometheusParseError) in try parse(buffer: bytes) }
        }.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(PrometheusParseError) -> PrometheusExposition {
        var reader = PrometheusTextReader(bytes: buffer)
        try reader.read()
        return reader.exposition
    }
}

/// One pass over the text, line by line, keeping what the lines declared so far.
struct PrometheusTextReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var exposition = PrometheusExposition()
    /// Names that have samples so far, so a late `# TYPE` line can be refused.
    private var sampledNames: Set<String> = []
    /// The last sample's name, reused while consecutive samples repeat it.
    private var previousName: (range: Range<Int>, name: String)?
    /// A buffer for unescaping, reused across values.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func read() throws(PrometheusParseError) {
        var start = 0
        var line = 0
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var last = end
            if last > start, bytes[last - 1] == 0x0D { last -= 1 }
            while last > start, PrometheusScanner.isBlank(bytes[last - 1]) { last -= 1 }
            var first = start
            while first < last, PrometheusScanner.isBlank(bytes[first]) { first += 1 }
            if first < last {
                do throws(PrometheusSyntaxError) {
                    if bytes[first] == UInt8(ascii: "#") {
                        try readComment(PrometheusScanner(bytes: bytes, position: first + 1, end: last))
                    } else {
                        try readSample(PrometheusScanner(bytes: bytes, position: first, end: last))
                    }
                } catch {
                    throw PrometheusParseError(line: line, reason: error.reason)
                }
            }
            start = end + 1
        }
    }

    /// `name{labels} value [timestamp]`.
    private mutating func readSample(_ line: PrometheusScanner) throws(PrometheusSyntaxError) {
        var scanner = line
        let nameRange = scanner.scanName(allowingColon: true)
        guard !nameRange.isEmpty else {
            throw PrometheusSyntaxError(
                "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at the start of the line, found \(scanner.found)")
        }
        let name = sampleName(nameRange)
        var labels: [String: String] = [:]
        let afterName = scanner.position
        scanner.skipBlanks()
        if !scanner.atEnd, scanner.current == UInt8(ascii: "{") {
            try scanner.readLabels(into: &labels, scratch: &scratch)
            scanner.skipBlanks()
        } else if scanner.position == afterName, !scanner.atEnd {
            throw PrometheusSyntaxError(
                "unexpected \(scanner.found) after metric name \(name) (names match [a-zA-Z_:][a-zA-Z0-9_:]*)")
        }
        guard !scanner.atEnd else { throw PrometheusSyntaxError("the sample of \(name) has no value") }
        let value = try scanner.parseValue(scanner.scanToken(), of: name)
        scanner.skipBlanks()
        var timestamp: Int64?
        if !scanner.atEnd {
            timestamp = try scanner.parseTimestamp(scanner.scanToken(), of: name)
            scanner.skipBlanks()
            guard scanner.atEnd else {
                throw PrometheusSyntaxError(
                    "unexpected \(scanner.quoted(scanner.position..<scanner.end)) after the timestamp of \(name)")
            }
        }
        exposition.samples.append(
            PrometheusSample(name: name, labels: labels, value: value, timestampMilliseconds: timestamp))
    }

    /// The name of the sample at `range`, reusing the previous one's storage when it is the same.
    private mutating func sampleName(_ range: Range<Int>) -> String {
        if let previous = previousName, previous.range.count == range.count,
            bytes[previous.range].elementsEqual(bytes[range])
        {
            return previous.name
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        previousName = (range, name)
        sampledNames.insert(name)
        return name
    }

    /// `# HELP name docstring`, `# TYPE name type`, or any other comment (skipped).
    private mutating func readComment(_ line: PrometheusScanner) throws(PrometheusSyntaxError) {
        var scanner = line
        scanner.skipBlanks()
        let keywordRange = scanner.scanToken()
        let keyword = UnsafeBufferPointer(rebasing: bytes[keywordRange])
        let isHelp = keyword.elementsEqual("HELP".utf8)
        guard isHelp || keyword.elementsEqual("TYPE".utf8) else { return }
        scanner.skipBlanks()
        guard !scanner.atEnd else { return }  // A bare `# HELP` is an ordinary comment.
        let nameRange = scanner.scanToken()
        var nameScanner = PrometheusScanner(bytes: bytes, position: nameRange.lowerBound, end: nameRange.upperBound)
        guard nameScanner.scanName(allowingColon: true) == nameRange else {
            throw PrometheusSyntaxError(
                "invalid metric name \(scanner.quoted(nameRange)) in a \(isHelp ? "HELP" : "TYPE") line "
                    + "(names match [a-zA-Z_:][a-zA-Z0-9_:]*)")
        }
        let name = scanner.text(nameRange)
        scanner.skipBlanks()
        if isHelp {
            guard exposition.help[name] == nil else { throw PrometheusSyntaxError("second HELP line for \(name)") }
            exposition.help[name] = try readHelp(scanner)
        } else {
            try declareType(of: name, scanner.position..<scanner.end, scanner)
        }
    }

    private mutating func declareType(
        of name: String, _ range: Range<Int>, _ scanner: PrometheusScanner
    ) throws(PrometheusSyntaxError) {
        let expected = "expected counter, gauge, histogram, summary or untyped"
        guard !range.isEmpty else {
            throw PrometheusSyntaxError("the TYPE line for \(name) names no type (\(expected))")
        }
        guard let type = PrometheusMetricType(rawValue: scanner.text(range).lowercased()) else {
            throw PrometheusSyntaxError("unknown metric type \(scanner.quoted(range)) for \(name) (\(expected))")
        }
        guard exposition.types[name] == nil else { throw PrometheusSyntaxError("second TYPE line for \(name)") }
        let suffixes: [String] =
            switch type {
            case .histogram: ["", "_bucket", "_sum", "_count"]
            case .summary: ["", "_sum", "_count"]
            case .counter, .gauge, .untyped: [""]
            }
        if let early = suffixes.first(where: { sampledNames.contains(name + $0) }) {
            throw PrometheusSyntaxError(
                "the TYPE line for \(name) comes after a sample of \(name + early); it must come before them")
        }
        exposition.types[name] = type
    }

    /// The rest of a HELP line, unescaping `\\` and `\n` (and `\"`, as the reference parser does).
    private mutating func readHelp(_ scanner: PrometheusScanner) throws(PrometheusSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var index = scanner.position
        while index < scanner.end {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                scratch.append(byte)
                continue
            }
            guard index < scanner.end else { throw PrometheusSyntaxError(#"HELP text ends with a lone '\'"#) }
            switch bytes[index] {
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
            case let other:
                throw PrometheusSyntaxError(
                    "invalid escape sequence \(PrometheusScanner.escapeSequence(other)) in HELP text "
                        + #"(only \\ and \n are allowed)"#)
            }
            index += 1
        }
        guard let help = String(validating: scratch, as: UTF8.self) else {
            throw PrometheusSyntaxError("the HELP text is not valid UTF-8")
        }
        return help
    }
}
