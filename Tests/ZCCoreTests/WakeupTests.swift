import Testing
import ZCCore

/// `Wakeup`: a signal ends a wait early, one sent between waits is kept for the next, the time running
/// out ends it without one, and cancelling the waiting task ends it at once.
@Suite("Wakeup")
struct WakeupTests {
    @Test("a signal wakes the wait; one sent meanwhile is kept, several count as one; time and cancel end it")
    func wakes() async throws {
        let wakeup = Wakeup()
        let clock = ContinuousClock()
        let waiting = Task { await wakeup.wait(upTo: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        wakeup.signal()
        #expect(await waiting.value == true, "woken by the signal, long before 60 s")

        wakeup.signal()
        wakeup.signal()
        #expect(await wakeup.wait(upTo: .seconds(60)) == true, "kept for the next wait")
        let started = clock.now
        #expect(await wakeup.wait(upTo: .milliseconds(100)) == false, "two signals counted as one")
        #expect(clock.now - started >= .milliseconds(100), "waited its time out")

        let cancelled = Task { await wakeup.wait(upTo: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(await cancelled.value == false, "cancelled, not signalled")
        let after = clock.now
        #expect(await wakeup.wait(upTo: .milliseconds(50)) == false, "a cancel leaves no signal behind")
        #expect(clock.now - after >= .milliseconds(50))
    }
}
