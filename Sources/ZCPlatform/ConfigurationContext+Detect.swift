import Foundation

extension ConfigurationContext {
    /// Reads the facts off this machine: the Docker socket, `zeroclaw` on the PATH, where this binary is.
    public static func detect(
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> ConfigurationContext
    {
        let socket = environment["ZCPLATFORM_RUNTIME_DOCKER_SOCKET"] ?? "/var/run/docker.sock"
        var status = stat()
        let socketExists = stat(socket, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let zeroclaw = path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/zeroclaw")
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
        return ConfigurationContext(
            dockerSocketExists: socketExists, zeroclawOnPath: zeroclaw,
            executableDirectory: (executable as NSString).deletingLastPathComponent,
            hostName: ProcessInfo.processInfo.hostName, runsAsRoot: geteuid() == 0,
            memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory))
    }
}
