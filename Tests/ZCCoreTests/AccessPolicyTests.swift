import Testing
import ZCCore

@Suite("Roles and access")
struct AccessPolicyTests {
    static let ordered: [TenantRole] = [.viewer, .contributor, .manager, .owner]

    @Test("roles order viewer < contributor < manager < owner, every pair")
    func ordering() {
        #expect(TenantRole.allCases == Self.ordered)
        for (i, lhs) in Self.ordered.enumerated() {
            for (j, rhs) in Self.ordered.enumerated() {
                #expect((lhs < rhs) == (i < j), "\(lhs) < \(rhs)")
                #expect(lhs.satisfies(rhs) == (i >= j), "\(lhs) satisfies \(rhs)")
            }
        }
        #expect(TenantRole.allCases.sorted() == Self.ordered)
    }

    static let requirements: [AccessRequirement] =
        [.authenticated, .superAdmin] + ordered.map { .tenantRole($0) }

    static let callers: [(Bool, TenantRole?)] = [true, false].flatMap { admin in
        ([nil] + ordered.map(Optional.some)).map { (admin, $0) }
    }

    @Test("every caller against every requirement")
    func decisions() {
        for requirement in Self.requirements {
            for (admin, role) in Self.callers {
                let expected: AccessPolicy.Decision
                if admin {
                    expected = .allowed
                } else {
                    switch requirement {
                    case .authenticated: expected = .allowed
                    case .superAdmin: expected = .forbidden
                    case .tenantRole(let needed):
                        if let role {
                            expected =
                                Self.ordered.firstIndex(of: role)! >= Self.ordered.firstIndex(of: needed)!
                                ? .allowed : .forbidden
                        } else {
                            expected = .hidden
                        }
                    }
                }
                #expect(
                    AccessPolicy.decide(isSuperAdmin: admin, role: role, requirement: requirement) == expected,
                    "admin=\(admin) role=\(String(describing: role)) requirement=\(requirement)")
            }
        }
    }

    @Test("minimum roles of operations as the product specification lists them")
    func operationRequirements() {
        let viewer: [PlatformOperation] = [
            .readTenant, .readStatus, .readLogs, .readResources, .readUsage, .readConfig, .listChannels, .listMembers,
        ]
        let manager: [PlatformOperation] = [.deploy, .start, .stop, .restart, .exec, .changeConfig, .changeChannels]
        let owner: [PlatformOperation] = [.manageMembers, .deleteTenant]
        let admin: [PlatformOperation] = [.createTenant, .manageUsers, .readFleet, .readAudit, .manageCluster]
        let anyone: [PlatformOperation] = [.readOwnProfile, .manageOwnTokens]
        for operation in viewer { #expect(operation.requirement == .tenantRole(.viewer)) }
        for operation in manager { #expect(operation.requirement == .tenantRole(.manager)) }
        for operation in owner { #expect(operation.requirement == .tenantRole(.owner)) }
        for operation in admin { #expect(operation.requirement == .superAdmin) }
        for operation in anyone { #expect(operation.requirement == .authenticated) }
        #expect(
            Set(viewer + manager + owner + admin + anyone) == Set(PlatformOperation.allCases),
            "every operation is listed")
    }
}
