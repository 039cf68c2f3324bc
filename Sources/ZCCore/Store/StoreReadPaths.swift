/// A store that answers some reads on the caller's event loop (SQLite's loop readers) says how many, and
/// how many began there but ran on its reader pool instead: `zcplatform_store_loop_reads_total{outcome}`.
public protocol StoreReadPaths: Sendable {
    var loopReads: (answered: Int, fellBack: Int) { get }
    /// Of the reads answered there, those that reused the read snapshot the loop's previous read kept:
    /// `zcplatform_store_loop_snapshots_reused_total`.
    var loopSnapshotsReused: Int { get }
}
