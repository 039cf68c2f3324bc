import Glibc

/// Small reads of kernel files (`/proc`, `/sys/fs/cgroup`) without Foundation: one open, one read,
/// one close, into a buffer the caller reuses.
struct CgroupFiles {
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// The file's bytes (at most 16 KiB), or nil when it cannot be read.
    mutating func read(_ path: String) -> ArraySlice<UInt8>? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress! + total, raw.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            total += count
        }
        return buffer[0..<total]
    }

    /// The first integer in the file (`memory.current`, `pids.current`); nil for `max` or unreadable.
    mutating func integer(_ path: String) -> Int64? {
        guard let bytes = read(path) else { return nil }
        return Self.firstInteger(bytes)
    }

    /// The value of `key` in a `key value` per line file (`cpu.stat`, `memory.stat`).
    mutating func keyed(_ path: String, _ key: String) -> Int64? {
        guard let bytes = read(path) else { return nil }
        return Self.value(of: Array(key.utf8), in: bytes)
    }

    static func firstInteger(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= 48, byte <= 57 else { break }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 48))
            if overflow1 || overflow2 { return Int64.max }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    static func value(of key: [UInt8], in bytes: ArraySlice<UInt8>) -> Int64? {
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let line = bytes[lineStart..<lineEnd]
            if line.count > key.count, line.starts(with: key), line[line.startIndex + key.count] == UInt8(ascii: " ") {
                return firstInteger(line[(line.startIndex + key.count + 1)...])
            }
            lineStart = lineEnd + 1
        }
        return nil
    }

    /// Received and sent bytes of every interface but `lo` in a `/proc/{pid}/net/dev` table.
    static func networkTotals(_ bytes: ArraySlice<UInt8>) -> (received: Int64, sent: Int64) {
        var received: Int64 = 0
        var sent: Int64 = 0
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = line[..<colon].drop { $0 == UInt8(ascii: " ") }
            if name.elementsEqual("lo".utf8) { continue }
            let numbers = line[(colon + 1)...].split(separator: UInt8(ascii: " ")).compactMap { firstInteger($0) }
            // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit bytes.
            guard numbers.count >= 9 else { continue }
            received += numbers[0]
            sent += numbers[8]
        }
        return (received, sent)
    }
}
