/// A secret as the vault sealed it: ciphertext tagged with its key version and bound to its owner.
///
/// Only ciphertext ever reaches a store. Its description never shows the bytes.
public struct SealedSecret: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "SealedSecret(\(bytes.count) bytes)" }
}
