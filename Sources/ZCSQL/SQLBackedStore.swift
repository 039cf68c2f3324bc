import ZCCore

/// A store built on `SQLStore`, whose tables can be copied, exported and verified row by row.
public protocol SQLBackedStore: Store {
    var sqlStore: SQLStore { get }
}
