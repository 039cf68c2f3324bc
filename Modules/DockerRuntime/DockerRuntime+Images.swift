import ZCCore
import ZCHTTP

/// Agent images: pinned by digest before a rollout touches a tenant, and named by their pin when an
/// agent is created.
///
/// An image from a registry is pinned to its repository digest (`repo@sha256:…`), which every node can
/// pull. An image built or imported on the node has none; it is pinned to `reference@sha256:ID`, its
/// image id, which only this engine knows (another node, a tenant moved there, uses its own build under
/// the same tag, and says so in its log).
extension DockerRuntime {
    public func pinImage(_ reference: String) async throws -> String {
        guard !reference.isEmpty, !reference.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ContainerRuntimeError.imageNotFound("'\(reference)' (not an image reference)")
        }
        var inspected = try await inspectImage(localName(of: reference))
        if inspected == nil {
            try await pull(pullName(of: reference))
            inspected = try await inspectImage(localName(of: reference))
        }
        guard case .object(let fields)? = inspected, case .string(let id)? = fields["Id"] else {
            let why =
                reference.contains("@sha256:")
                ? "the build it is pinned to is not on this node" : "pulled, but the engine does not show it"
            throw ContainerRuntimeError.imageNotFound("\(reference) (\(why))")
        }
        if case .string(let os)? = fields["Os"], os != "linux" {
            throw ContainerRuntimeError.imageNotFound("\(reference) (an image for \(os), not linux)")
        }
        if reference.contains("@sha256:") { return reference }
        let repository = Self.split(reference).0
        if case .array(let digests)? = fields["RepoDigests"] {
            for case .string(let digest) in digests where digest.hasPrefix(repository + "@") {
                return digest
            }
        }
        return "\(reference)@\(id)"
    }

    /// The name the engine knows the pinned image by: the image id of a local pin, else the reference.
    func localName(of reference: String) async throws -> String {
        guard let at = reference.range(of: "@sha256:") else { return reference }
        let id = "sha256:" + reference[at.upperBound...]
        // A local pin (`name:tag@sha256:ID`) names the image id; a repository digest names itself.
        if try await inspectImage(id) != nil { return id }
        let tag = pullName(of: reference)
        if tag != reference, try await inspectImage(tag) != nil {
            // Pinned on another node (a tenant moved here): this engine's build under the same tag.
            logger.warning(
                "image.pin_not_local",
                ["image": reference, "using": tag, "detail": "the pinned build is not on this engine; its tag is"])
            return tag
        }
        return reference
    }

    /// What to pull for `reference`: a repository digest as it is; a local pin by its tag.
    func pullName(of reference: String) -> String {
        guard let at = reference.range(of: "@sha256:") else { return reference }
        let name = String(reference[..<at.lowerBound])
        let slash = name.lastIndex(of: "/") ?? name.startIndex
        // `repo:tag@sha256:…` is a local pin: only its tag can be pulled.
        return name[slash...].contains(":") ? name : reference
    }

    /// `GET /images/{name}/json`: the image, or nil when the engine has none by that name.
    func inspectImage(_ name: String) async throws -> JSONValue? {
        let response = try await engine.request(.get, "/images/\(name)/json")
        switch response.status.code {
        case 200: return JSONValue(jsonText: response.text)
        case 404: return nil
        default: throw DockerEngine.error(response)
        }
    }
}
