/// What an agent's `/health` body says about its parts. ZeroClaw answers `/health` with 200 whatever its
/// state; the body's `runtime.components` map names each part (`gateway`, `channel:telegram`,
/// `scheduler`, …) with a `status` of `ok`, `error` or `starting`, its `last_error` and its
/// `restart_count`. The body is written by the tenant's agent, so it is input from an attacker: parsed
/// from a bounded response, at most `maxComponents` parts kept, every text cut to `maxText` characters
/// with control characters replaced.
public struct AgentHealth: Sendable, Hashable {
    public struct Component: Sendable, Hashable {
        public var name: String
        /// `ok`, `error` or `starting`; anything else the agent says is kept as it is (bounded).
        public var status: String
        public var lastError: String?
        public var restartCount: Int

        public init(name: String, status: String, lastError: String? = nil, restartCount: Int = 0) {
            self.name = name
            self.status = status
            self.lastError = lastError
            self.restartCount = restartCount
        }

        public var failing: Bool { status == "error" }
        public var starting: Bool { status == "starting" }
    }

    public static let maxComponents = 64
    public static let maxText = 300

    /// Sorted by name.
    public var components: [Component]

    public init(components: [Component] = []) {
        self.components = components.sorted { $0.name < $1.name }
    }

    /// The parts in `error`.
    public var failing: [Component] { components.filter(\.failing) }
    /// True while some part still says `starting`.
    public var starting: Bool { components.contains(where: \.starting) }
    /// One line for logs, audit and the API: `channel:telegram: 401 Unauthorized (restarts 3)`.
    public var summary: String? {
        let failing = failing
        guard !failing.isEmpty else { return nil }
        return failing.map { component in
            var text = component.name
            if let error = component.lastError { text += ": \(error)" }
            if component.restartCount > 0 { text += " (restarts \(component.restartCount))" }
            return text
        }.joined(separator: "; ")
    }

    /// Reads a `/health` body. A body that is not JSON, or has no components, says nothing about parts:
    /// the agent answered, and that is all (older agents and other images answer so).
    public init(body: [UInt8]) {
        guard let text = String(validating: body, as: UTF8.self), let json = JSONValue(jsonText: text),
            case .object(let fields)? = json["runtime"]?["components"]
        else {
            self.init()
            return
        }
        var components: [Component] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }).prefix(Self.maxComponents) {
            guard case .object = value else { continue }
            let status: String
            if case .string(let text)? = value["status"] { status = Self.bounded(text) } else { status = "unknown" }
            var lastError: String?
            if case .string(let text)? = value["last_error"], !text.isEmpty {
                lastError = Self.redacted(Self.bounded(text))
            }
            var restarts = 0
            if case .number(let count)? = value["restart_count"], count.isFinite, count >= 0 {
                restarts = count < 1e9 ? Int(count) : 1_000_000_000
            }
            components.append(
                Component(name: Self.bounded(name), status: status, lastError: lastError, restartCount: restarts))
        }
        self.init(components: components)
    }

    /// An agent's error may quote what it sent (`https://api.telegram.org/bot123:AAE…/getMe`): every word
    /// that looks like a credential (24 characters or more of letters, digits and `-_:.=+`, with both
    /// letters and digits) becomes `[redacted]`, so a secret never reaches a log, the audit or the API.
    static func redacted(_ text: String) -> String {
        var output = ""
        var word = ""
        func flush() {
            let letters = word.contains(where: \.isLetter)
            let digits = word.contains(where: \.isNumber)
            output += word.count >= 24 && letters && digits ? "[redacted]" : word
            word = ""
        }
        for character in text {
            if character.isASCII, character.isLetter || character.isNumber || "-_:.=+".contains(character) {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// At most `maxText` characters, control characters as spaces.
    static func bounded(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(maxText) {
            scalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        return String(scalars)
    }
}
