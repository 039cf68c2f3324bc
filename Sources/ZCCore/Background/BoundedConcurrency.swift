/// The work of one target went past its time limit.
public struct TargetTimedOut: Error, Sendable, Hashable, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "no answer within \(limit.components.seconds) s" }
}

/// Runs `body`, cancelling it and throwing `TargetTimedOut` when it has not finished after `limit`.
/// `body` must honour cancellation (every await in the project's clients does).
public func withTimeLimit<Output: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> Output
) async throws -> Output {
    try await withThrowingTaskGroup(of: Output?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let output = first else { throw TargetTimedOut(limit: limit) }
        return output
    }
}

/// Runs `body` for every item, at most `limit` at once and each cut at `timeout`; the outcomes come back
/// in the items' order. One item failing does not stop the others.
public func mapConcurrently<Item: Sendable, Output: Sendable>(
    _ items: [Item], limit: Int, timeout: Duration? = nil, _ body: @escaping @Sendable (Item) async throws -> Output
) async -> [Result<Output, any Error>] {
    var results = [Result<Output, any Error>?](repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
        var nextIndex = 0
        func addNext() {
            let index = nextIndex
            let item = items[index]
            nextIndex += 1
            group.addTask {
                do {
                    if let timeout {
                        return (index, .success(try await withTimeLimit(timeout) { try await body(item) }))
                    }
                    return (index, .success(try await body(item)))
                } catch {
                    return (index, .failure(error))
                }
            }
        }
        while nextIndex < items.count, nextIndex < max(1, limit) { addNext() }
        for await (index, result) in group {
            results[index] = result
            if nextIndex < items.count { addNext() }
        }
    }
    return results.map { $0 ?? .failure(CancellationError()) }
}
