import ZCCore
import ZCCrypto

/// `zcplatform serve --demo`: a first run that shows something working. It bootstraps a super-admin
/// when there is none (the token is returned once), creates the tenant `demo` when it does not exist,
/// and deploys it when it is a draft or in error, so the agent (the simulator, on the process runtime of
/// a fresh machine) runs and answers through the API.
public enum DemoTenant {
    public static let id = "demo"

    public struct Prepared: Sendable {
        /// The new super-admin's token; nil when an admin existed already.
        public var token: BearerToken?
        public var adminEmail: String?
        public var deploying: Bool
    }

    public static func prepare(_ platform: Platform, adminEmail: String) async throws -> Prepared {
        var prepared = Prepared(token: nil, adminEmail: nil, deploying: false)
        let admins = try await platform.store.read { try await $0.users() }.filter { $0.isSuperAdmin && !$0.isDisabled }
        if admins.isEmpty {
            if case .created(let user, let token) = try await Bootstrap.run(
                email: adminEmail, store: platform.store,
                tokenLifetimeDays: platform.configuration.auth.bootstrapTokenDays)
            {
                prepared.token = token
                prepared.adminEmail = user.email
            }
        } else {
            prepared.adminEmail = admins.first?.email
        }
        let id = try TenantID(Self.id)
        let existing = try await platform.store.tenant(id)
        if existing == nil {
            let plans = platform.configuration.plans
            let plan = plans["default"] != nil ? "default" : plans.keys.sorted()[0]
            _ = try await platform.services.tenants.create(
                id: Self.id, name: "Demo agent", plan: plan, by: .system("demo"))
        }
        let status = existing?.status ?? .draft
        if TenantStatusMachine.isAllowed(.deploy, from: status) {
            _ = try await platform.lifecycle.deploy(id, actor: "system:demo", clientIP: nil)
            prepared.deploying = true
        }
        return prepared
    }
}
