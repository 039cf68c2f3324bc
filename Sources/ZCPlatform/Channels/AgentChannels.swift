import Foundation
import ZCCore

/// The channel kinds the agent's image is built with (`runtime.agent_channels`). ZeroClaw compiles some
/// channels behind cargo features, and its published images differ in which they carry: a channel the
/// image lacks never connects, while `/health` answers 200. So such a channel is refused when it is
/// created or enabled, naming the image and the key.
///
/// `auto` (the default) reads the official image's tag (`ghcr.io/zeroclaw-labs/zeroclaw:TAG`); any other
/// image (a build of one's own, the simulator) and the process runtime are taken to have every kind.
/// `all` says so explicitly; a comma-separated list names the kinds exactly.
public struct AgentChannels: Sendable, Hashable {
    /// Kinds offered; nil for every kind.
    public let kinds: Set<String>?
    /// Where the set comes from, for the error: `image ghcr.io/…:latest` or `runtime.agent_channels`.
    public let source: String

    public static let all = AgentChannels(kinds: nil, source: "runtime.agent_channels")

    public init(kinds: Set<String>?, source: String) {
        self.kinds = kinds
        self.source = source
    }

    /// The official image's repository.
    public static let officialImage = "ghcr.io/zeroclaw-labs/zeroclaw"

    /// The kinds of the official image by its tag. The release workflow publishes four builds, each as
    /// a floating tag (`STEM`) and a pinned one (`STEM-vX.Y.Z`): `minimal` (no channel), `default-features`
    /// (Telegram, Discord, email, the webhook), `dist` (those and Matrix) and `all-features` (every kind).
    /// Any other tag (`latest`, `vX.Y.Z`, a digest) is taken as the default build, the safe side: a channel
    /// refused at creation rather than one that never connects. Facts and the commit they were read from:
    /// `Docs/OPERATIONS.md`, "ZeroClaw versions".
    static func official(tag: String) -> Set<String> {
        let defaults: Set<String> = ["telegram", "discord", "email", "webhook"]
        switch publishedStem(of: tag) {
        case "all-features", "full": return Set(ChannelKind.all.map(\.name))
        case "dist": return defaults.union(["matrix"])
        case "minimal": return []
        default: return defaults
        }
    }

    /// The build a published tag names: `dist-v0.8.3` → `dist`, `dist` → `dist`.
    static func publishedStem(of tag: String) -> String {
        let lowered = tag.lowercased()
        guard let range = lowered.range(of: "-v", options: .backwards),
            let first = lowered[range.upperBound...].first, first.isNumber
        else { return lowered }
        return String(lowered[..<range.lowerBound])
    }

    /// Parses `runtime.agent_channels` for `image` (nil for the process runtime).
    public static func parse(_ value: String, image: String?) throws(ConfigurationError) -> AgentChannels {
        let trimmed = value.trimmingCharacters(in: .whitespaces).lowercased()
        switch trimmed {
        case "", "auto":
            guard let image, let tag = officialTag(of: image) else { return .all }
            return AgentChannels(kinds: official(tag: tag), source: "image \(image)")
        case "all":
            return .all
        default:
            var kinds: Set<String> = []
            for item in trimmed.split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces)
                guard ChannelKind.named(name) != nil else {
                    throw ConfigurationError(
                        "runtime.agent_channels: '\(name)' is not a channel kind (auto, all, or a list of: \(ChannelKind.all.map(\.name).joined(separator: ", ")))"
                    )
                }
                kinds.insert(name)
            }
            return AgentChannels(kinds: kinds, source: "runtime.agent_channels")
        }
    }

    /// The tag of the official image (`latest` when none is given), nil for any other image.
    static func officialTag(of image: String) -> String? {
        var reference = image
        if let at = reference.firstIndex(of: "@") { reference = String(reference[..<at]) }
        let slash = reference.lastIndex(of: "/")
        var tag = "latest"
        if let colon = reference.lastIndex(of: ":"), slash.map({ colon > $0 }) ?? true {
            tag = String(reference[reference.index(after: colon)...])
            reference = String(reference[..<colon])
        }
        return reference == officialImage ? tag : nil
    }

    public func offers(_ kind: String) -> Bool { kinds?.contains(kind) ?? true }

    /// Refuses a kind the image lacks.
    public func require(_ kind: String) throws(ValidationError) {
        guard offers(kind) else {
            let offered = (kinds ?? []).sorted().joined(separator: ", ")
            throw ValidationError(
                field: "kind",
                "\(kind) channels are not built into the agent (\(source) has: \(offered.isEmpty ? "none" : offered)); use an image built with it and set runtime.agent_channels"
            )
        }
    }
}
