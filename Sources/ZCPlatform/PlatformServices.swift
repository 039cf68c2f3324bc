import ZCCore
import ZCCrypto

/// The platform's services, made once by `Platform.open` and shared by every way in: the API's
/// controllers, the CLI's demo, and (later) the web console. Each owns its transactions and their audit
/// records; callers check access first (`access`) and pass who they are (`Caller`).
public struct PlatformServices: Sendable {
    public let access: TenantAccess
    public let auth: AuthService
    public let tenants: TenantService
    public let lifecycle: TenantLifecycle
    public let tenantConfigs: TenantConfigService
    public let channels: ChannelService
    public let members: MemberService
    public let users: UserService
    /// The fleet as a super-admin sees it (read-only).
    public let fleet: FleetReports
    /// The vault: secrets, and the key nodes sign forwarded requests with.
    public let vault: Vault
    /// Agent image rollouts across the fleet.
    public let rollouts: RolloutService

    public init(
        store: any Store, vault: Vault, auth: AuthService, lifecycle: TenantLifecycle, plans: [String: Plan],
        fleet: FleetReports, rollouts: RolloutService? = nil
    ) {
        self.rollouts = rollouts ?? RolloutService(store: store)
        access = TenantAccess(store: store)
        self.auth = auth
        tenants = TenantService(store: store, plans: plans)
        self.lifecycle = lifecycle
        tenantConfigs = TenantConfigService(store: store, vault: vault, lifecycle: lifecycle)
        channels = ChannelService(
            store: store, vault: vault, plans: plans, lifecycle: lifecycle,
            agentChannels: lifecycle.settings.agentChannels)
        members = MemberService(store: store, plans: plans)
        users = UserService(store: store, principals: auth.principals)
        self.fleet = fleet
        self.vault = vault
    }
}
