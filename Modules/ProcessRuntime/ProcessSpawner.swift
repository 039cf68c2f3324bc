import CProcess
import Foundation
import ZCCore

/// `posix_spawn` with what a supervised agent needs: its own process group (so a stop reaches every
/// process it started), stdin from /dev/null, stdout and stderr to pipes and no other descriptor, a
/// working directory, an environment built from scratch, and default signal dispositions.
enum ProcessSpawner {
    /// Why a spawn failed: the program and the errno.
    struct Failure: Error {
        let program: String
        let code: Int32

        var runtimeError: ContainerRuntimeError {
            .failed("cannot start \(program): \(String(cString: strerror(code)))")
        }
    }

    struct Spawned: Sendable {
        let pid: pid_t
        /// Read ends of the child's stdout and stderr (stderr nil when merged into stdout).
        let stdout: Int32
        let stderr: Int32?
    }

    static func spawn(
        _ argv: [String], environment: [String: String], directory: String, mergeStderr: Bool = false
    ) throws(Failure) -> Spawned {
        guard let program = argv.first, !program.isEmpty else { throw Failure(program: "", code: ENOENT) }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // Close-on-exec from birth (pipe2): with pipe() then fcntl(), a spawn on another thread in between
        // would hand this agent's pipe to another program, keeping its output open after it exits.
        guard zc_pipe_cloexec(&outPipe) == 0 else { throw Failure(program: program, code: errno) }
        guard mergeStderr || zc_pipe_cloexec(&errPipe) == 0 else {
            let code = errno
            close(outPipe[0])
            close(outPipe[1])
            throw Failure(program: program, code: code)
        }
        defer {
            close(outPipe[1])
            if !mergeStderr { close(errPipe[1]) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, mergeStderr ? outPipe[1] : errPipe[1], 2)
        posix_spawn_file_actions_addchdir_np(&actions, directory)
        // Nothing else of the platform's: a descriptor some library opened without close-on-exec (a database
        // connection, a key file) must never reach an agent.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments + variables { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, &actions, &attributes, arguments, variables)
        guard status == 0 else {
            close(outPipe[0])
            if !mergeStderr { close(errPipe[0]) }
            throw Failure(program: program, code: status)
        }
        return Spawned(pid: pid, stdout: outPipe[0], stderr: mergeStderr ? nil : errPipe[0])
    }

    /// The exit code of a `waitpid` status: the code, or 128 + the signal, as a shell reports it.
    static func exitCode(_ status: Int32) -> Int {
        if zc_wifexited(status) != 0 { return Int(zc_wexitstatus(status)) }
        if zc_wifsignaled(status) != 0 { return 128 + Int(zc_wtermsig(status)) }
        return -1
    }
}
