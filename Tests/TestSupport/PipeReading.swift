import Foundation
import Glibc

/// Reads a pipe with `read(2)`, retrying on EINTR. Foundation's `availableData` and
/// `readDataToEndOfFile` end the process with a fatal error when a signal interrupts their read, and
/// the tests' children (agents, servers) make signals arrive.
public enum PipeReading {
    /// Calls `chunk` with each piece read from `fd` until its end.
    public static func readChunks(_ fd: Int32, _ chunk: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            chunk(Data(buffer[0..<count]))
        }
    }
}

extension Pipe {
    /// Calls `chunk` with each piece read until the end of the pipe.
    public func readChunks(_ chunk: (Data) -> Void) {
        PipeReading.readChunks(fileHandleForReading.fileDescriptor, chunk)
    }

    /// Everything until the end of the pipe.
    public func readAll() -> Data {
        var data = Data()
        readChunks { data.append($0) }
        return data
    }
}
