import Testing
import ZCCore

/// Every (action, status) and (event, status) pair, against tables written out from the product
/// specification rather than derived from the implementation.
@Suite("Tenant status machine")
struct TenantStatusMachineTests {
    /// action → statuses it is allowed from → resulting status.
    static let actionTable: [TenantAction: (from: [TenantStatus], to: TenantStatus)] = [
        .deploy: ([.draft, .error], .deploying),
        .start: ([.stopped], .running),
        .stop: ([.running], .stopped),
        .restart: ([.running, .error], .running),
        .delete: ([.draft, .deploying, .running, .stopped, .error], .deleted),
    ]

    static let pairs: [(TenantAction, TenantStatus)] = TenantAction.allCases.flatMap { action in
        TenantStatus.allCases.map { (action, $0) }
    }

    @Test("every action from every status", arguments: pairs)
    func action(_ action: TenantAction, from status: TenantStatus) throws {
        let expected = try #require(Self.actionTable[action])
        if expected.from.contains(status) {
            #expect(try TenantStatusMachine.apply(action, to: status) == expected.to)
            #expect(TenantStatusMachine.isAllowed(action, from: status))
        } else {
            let error = #expect(throws: TenantTransitionError.self) {
                try TenantStatusMachine.apply(action, to: status)
            }
            #expect(error?.failureKind == .conflict)
            #expect(error?.publicMessage.contains("'\(status)'") == true)
            for source in expected.from {
                #expect(error?.publicMessage.contains(source.rawValue) == true)
            }
            #expect(!TenantStatusMachine.isAllowed(action, from: status))
        }
    }

    @Test("the table covers every action, and nothing leaves deleted")
    func coverage() {
        #expect(Set(Self.actionTable.keys) == Set(TenantAction.allCases))
        for action in TenantAction.allCases {
            #expect(!TenantStatusMachine.isAllowed(action, from: .deleted))
        }
    }

    static let eventTable: [TenantEvent: [TenantStatus: TenantStatus]] = [
        .deploySucceeded: [.deploying: .running],
        .deployFailed: [.deploying: .error],
        .failed: [.draft: .error, .deploying: .error, .running: .error, .stopped: .error],
        .recovered: [.error: .running],
    ]

    static let eventPairs: [(TenantEvent, TenantStatus)] = TenantEvent.allCases.flatMap { event in
        TenantStatus.allCases.map { (event, $0) }
    }

    @Test("every platform event in every status", arguments: eventPairs)
    func event(_ event: TenantEvent, in status: TenantStatus) {
        #expect(TenantStatusMachine.apply(event, to: status) == Self.eventTable[event]?[status])
    }
}

extension TenantAction: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

extension TenantStatus: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

extension TenantEvent: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
