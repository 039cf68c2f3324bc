/// Replaces the host's paths in a text members may read (a tenant's `error_message`, an audit cause)
/// with the configuration key that names them: `bind source path does not exist:
/// {runtime.data_dir}/acme`. Viewers of a tenant learn nothing of the host's layout; the full text
/// goes to the log.
struct HostPathScrubber: Sendable {
    /// Longest first, so a path inside another is replaced as the longer one.
    let replacements: [(path: String, key: String)]

    init(_ paths: [(path: String, key: String)]) {
        replacements = paths.filter { $0.path.count > 1 && $0.path.hasPrefix("/") }
            .sorted { $0.path.count > $1.path.count }
    }

    init(_ configuration: PlatformConfiguration, dataDirectory: String) {
        var paths: [(String, String)] = [
            (dataDirectory, "{runtime.data_dir}"),
            (configuration.runtime.dockerSocket, "{runtime.docker_socket}"),
            (configuration.vaultKeyPath, "{vault.key_path}"),
            (configuration.store.path, "{store.path}"),
        ]
        if let program = configuration.runtime.agentCommand.split(separator: " ").first {
            paths.append((String(program), "{runtime.agent_command}"))
        }
        self.init(paths)
    }

    func scrub(_ text: String) -> String {
        var result = text
        for (path, key) in replacements where result.contains(path) {
            result = result.replacingOccurrences(of: path, with: key)
        }
        return result
    }
}
