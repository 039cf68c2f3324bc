import Glibc

/// A failed socket call, with the call's name and errno's text.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}

/// A wait that ran past its deadline.
public struct SocketTimeout: Error, Sendable, Equatable {}

/// A wait interrupted because the server is shutting down.
public struct ShutdownInterrupt: Error, Sendable, Equatable {}
