/// At most `capacity` holders at once; the others wait in order. For tests that open many databases at
/// once (each costs file descriptors, and Foundation's `Process` fails beyond 1,024 of them).
public actor AsyncLimiter {
    private let capacity: Int
    private var held = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public func acquire() async {
        if held < capacity {
            held += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    public func release() {
        if waiting.isEmpty {
            held = max(0, held - 1)
        } else {
            waiting.removeFirst().resume()
        }
    }
}
