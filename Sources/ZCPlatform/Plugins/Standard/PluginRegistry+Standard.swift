import ZCCore

extension PluginRegistry {
    /// Every store, runtime, collector and notifier of this build: the one explicit list of them.
    public static var standard: PluginRegistry {
        var registry = PluginRegistry()
        registry.registerStandardDrivers()
        registry.register(CollectorPlugins.resource)
        registry.register(CollectorPlugins.usage)
        registry.register(CollectorPlugins.health)
        registry.register(NotifierPlugins.log)
        registry.register(NotifierPlugins.webhook)
        registry.register(NotifierPlugins.mail)
        return registry
    }

    private mutating func registerStandardDrivers() {
        register(StoreDrivers.sqlite)
        register(StoreDrivers.postgres)
        register(RuntimeDrivers.docker)
        register(RuntimeDrivers.process)
    }
}
