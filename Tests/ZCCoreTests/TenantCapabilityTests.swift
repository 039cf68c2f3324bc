import Testing
import ZCCore

/// The API's `actions`: for every role and status, what PRODUCT.md allows (the status guards: deploy from
/// draft|error; start from stopped; stop from running; restart from running|error; delete from any; and
/// the minimum roles: manager for the lifecycle, exec, config and channels; owner for members and delete).
@Suite("Tenant capabilities")
struct TenantCapabilityTests {
    static let lifecycleByStatus: [TenantStatus: [TenantCapability]] = [
        .draft: [.deploy, .delete],
        .deploying: [.delete],
        .running: [.stop, .restart, .delete],
        .stopped: [.start, .delete],
        .error: [.deploy, .restart, .delete],
    ]

    @Test("each role is offered what its rank and the tenant's status allow", arguments: TenantRole.allCases)
    func byRole(_ role: TenantRole) {
        for (status, lifecycle) in Self.lifecycleByStatus {
            let offered = TenantCapability.offered(
                isSuperAdmin: false, role: role, status: status, moving: false, execAvailable: true)
            var expected: [TenantCapability] = []
            if role.satisfies(.manager) {
                expected = lifecycle.filter { $0 != .delete }
                if status == .running { expected.append(.exec) }
                expected += [.changeConfig, .changeChannels]
            }
            if role == .owner { expected.append(.delete) }
            if role == .owner { expected.append(.manageMembers) }
            #expect(Set(offered) == Set(expected), "\(role) on a \(status) tenant: \(offered)")
            #expect(offered == TenantCapability.allCases.filter(offered.contains), "in declaration order")
        }
    }

    @Test("the cases the console once got wrong")
    func drifted() {
        func offered(_ status: TenantStatus) -> Set<TenantCapability> {
            Set(
                TenantCapability.offered(
                    isSuperAdmin: true, role: nil, status: status, moving: false, execAvailable: true))
        }
        #expect(!offered(.running).contains(.deploy), "deploy on a running tenant is a 409")
        #expect(!offered(.error).contains(.start) && !offered(.error).contains(.stop), "start/stop on error: 409")
        #expect(offered(.error).contains(.restart), "restart from error is allowed")
        #expect(
            !TenantCapability.offered(
                isSuperAdmin: false, role: .contributor, status: .running, moving: false, execAvailable: true
            )
            .contains(.restart))
    }

    @Test("a moving tenant offers nothing; no exec where the runtime refuses it; a non-member nothing")
    func refusedEverywhere() {
        #expect(
            TenantCapability.offered(isSuperAdmin: true, role: nil, status: .running, moving: true, execAvailable: true)
                .isEmpty)
        #expect(
            !TenantCapability.offered(
                isSuperAdmin: true, role: nil, status: .running, moving: false, execAvailable: false
            )
            .contains(.exec))
        #expect(
            TenantCapability.offered(
                isSuperAdmin: false, role: nil, status: .running, moving: false, execAvailable: true
            )
            .isEmpty)
    }
}
