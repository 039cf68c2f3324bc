/// An object's bytes as they arrive. Stop iterating (or let it go) to give up the rest.
public struct ObjectStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// The object's size when the store said it.
    public let size: Int?
    private let next: @Sendable () async throws -> [UInt8]?

    public init(size: Int?, next: @escaping @Sendable () async throws -> [UInt8]?) {
        self.size = size
        self.next = next
    }

    public func makeAsyncIterator() -> Iterator { Iterator(next: next) }

    public struct Iterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> [UInt8]?

        public mutating func next() async throws -> [UInt8]? { try await next() }
    }
}
