import ZCCore

/// `LISTEN`/`NOTIFY`: a connection of its own, outside the pool, waits for the signals other nodes'
/// transactions send as they commit.
extension PostgresStore: StoreSignals {
    public func listen(_ channel: String, received: @escaping @Sendable (String?) async -> Void) async throws {
        let connection = PostgresConnection(options: options, label: "zcplatform.postgres.listen")
        var connectedBefore = false
        var failures = 0
        while !Task.isCancelled {
            do {
                try await connection.prepareForUse()
                try await connection.listen(channel)
                // Whatever was signalled while the connection was down is lost: say so once.
                if connectedBefore { await received(nil) }
                connectedBefore = true
                failures = 0
                while !Task.isCancelled {
                    for payload in try await connection.receiveSignals(waitingUpTo: 500) { await received(payload) }
                }
            } catch let error as StoreError {
                failures += 1
                logger.warning(
                    "store.listen_failed", ["channel": channel, "error": error.message, "attempt": failures])
                await connection.close()
                do {
                    try await Task.sleep(for: .seconds(min(30, 1 << min(failures - 1, 5))))
                } catch {
                    break
                }
            } catch {
                await connection.close()
                throw error
            }
        }
        await connection.close()
    }
}
