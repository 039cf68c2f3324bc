import ZCTOML

/// One key of `zcplatform.toml`: where it lives, what it holds, its default, and whether it is secret.
/// Plugins declare theirs without a section (`ConfigurationKey("url", .string, help: …, default: nil)`);
/// the registry places them in the plugin's table (`[notifiers.webhook]`).
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable {
        case string
        case integer(ClosedRange<Int64>)
        case number(ClosedRange<Double>)
        case boolean
        case choice([String])
        /// Bytes: an integer, or a string such as `256MiB`, `1.5GiB`, `512MB`.
        case size(minimum: Int64)
    }

    /// The table holding the key: `["server"]`, `["collectors", "resource"]`, or `["plans", "*"]` for
    /// a key of every plan.
    public internal(set) var section: [String]
    public let name: String
    public let kind: Kind
    /// The value when neither the file nor the environment sets it; nil when the key is optional.
    let defaultValue: @Sendable (ConfigurationContext) -> TOMLValue?
    /// Redacted by `config check`; never logged.
    public let secret: Bool
    public let help: String
    /// How a default that depends on the machine is chosen, for `config keys`.
    let defaultRule: String?

    init(
        _ section: [String], _ name: String, _ kind: Kind, secret: Bool = false, help: String, rule: String,
        default defaultValue: @escaping @Sendable (ConfigurationContext) -> TOMLValue?
    ) {
        self.section = section
        self.name = name
        self.kind = kind
        self.secret = secret
        self.help = help
        self.defaultRule = rule
        self.defaultValue = defaultValue
    }

    init(_ section: [String], _ name: String, _ kind: Kind, secret: Bool = false, help: String, fixed: TOMLValue?) {
        self.section = section
        self.name = name
        self.kind = kind
        self.secret = secret
        self.help = help
        self.defaultRule = nil
        self.defaultValue = { _ in fixed }
    }

    /// A plugin's key, placed in its table by the registry. `default` is a literal (`"json"`, `5`, `true`,
    /// `2.5`) or nil for an optional key.
    public init(_ name: String, _ kind: Kind, secret: Bool = false, help: String, default fixed: TOMLValue?) {
        self.init([], name, kind, secret: secret, help: help, fixed: fixed)
    }

    /// The key in `section`.
    func placed(in section: [String]) -> ConfigurationKey {
        var placed = self
        placed.section = section
        return placed
    }

    /// `server.port`, `collectors.resource.interval_seconds`.
    public var dottedName: String { (section + [name]).joined(separator: ".") }

    /// `ZCPLATFORM_SERVER_PORT`; for plan keys, of the plan named.
    func environmentName(plan: String? = nil) -> String {
        let parts = section.map { $0 == "*" ? (plan ?? "*") : $0 } + [name]
        return "ZCPLATFORM_" + parts.joined(separator: "_").uppercased().replacingDashes()
    }

    /// What a value must look like, for error messages.
    var expectation: String {
        switch kind {
        case .string: "a string"
        case .integer(let range): "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .number(let range): "a number from \(range.lowerBound) to \(range.upperBound)"
        case .boolean: "true or false"
        case .choice(let options): "one of " + options.map { "\"\($0)\"" }.joined(separator: ", ")
        case .size(let minimum): "a size of at least \(minimum) bytes (an integer, or a string like \"256MiB\")"
        }
    }

    /// Checks a value from the file; returns it in canonical form (sizes as integer bytes).
    func validate(_ value: TOMLValue) -> TOMLValue? {
        switch (kind, value) {
        case (.string, .string): return value
        case (.integer(let range), .integer(let number)): return range.contains(number) ? value : nil
        case (.number(let range), _):
            guard let number = value.double, range.contains(number) else { return nil }
            return .float(number)
        case (.boolean, .boolean): return value
        case (.choice(let options), .string(let text)): return options.contains(text) ? value : nil
        case (.size(let minimum), .integer(let bytes)): return bytes >= minimum ? value : nil
        case (.size(let minimum), .string(let text)):
            guard let bytes = ByteSize.parse(text), bytes >= minimum else { return nil }
            return .integer(bytes)
        default: return nil
        }
    }

    /// Parses a value from an environment variable's text.
    func parse(environment text: String) -> TOMLValue? {
        switch kind {
        case .string, .choice: return validate(.string(text))
        case .integer: return Int64(text).flatMap { validate(.integer($0)) }
        case .number: return Double(text).flatMap { validate(.float($0)) }
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: return nil
            }
        case .size: return Int64(text).map { TOMLValue.integer($0) }.flatMap(validate) ?? validate(.string(text))
        }
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}

/// Facts about the machine that some defaults depend on.
public struct ConfigurationContext: Sendable {
    /// Whether a Docker socket exists at the default path.
    public var dockerSocketExists: Bool
    /// Whether `zeroclaw` is on the PATH.
    public var zeroclawOnPath: Bool
    /// The directory holding the running `zcplatform` binary (the agent simulator sits beside it).
    public var executableDirectory: String
    public var hostName: String
    /// Whether the platform runs as root: then the process runtime (agents as root, no isolation) is
    /// never chosen for it, and its exec stays off unless enabled.
    public var runsAsRoot: Bool
    /// The host's physical memory in bytes (0 when unknown).
    public var memoryBytes: Int64

    public init(
        dockerSocketExists: Bool, zeroclawOnPath: Bool, executableDirectory: String, hostName: String,
        runsAsRoot: Bool = false, memoryBytes: Int64 = 0
    ) {
        self.memoryBytes = memoryBytes
        self.dockerSocketExists = dockerSocketExists
        self.zeroclawOnPath = zeroclawOnPath
        self.executableDirectory = executableDirectory
        self.hostName = hostName
        self.runsAsRoot = runsAsRoot
    }
}
