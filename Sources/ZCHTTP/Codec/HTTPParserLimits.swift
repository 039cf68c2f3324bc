/// What a request may be at most. Beyond a limit the parser refuses with the matching status.
public struct HTTPParserLimits: Sendable, Hashable {
    /// Request line and header fields together (431 beyond, or 414 for a long target).
    public var headBytes: Int
    /// The request target (414 beyond).
    public var targetBytes: Int
    /// Header fields (431 beyond).
    public var headerCount: Int
    /// The decoded body (413 beyond).
    public var bodyBytes: Int
    /// A chunk's extensions, and the trailer section, each (400 / 431 beyond).
    public var chunkMetadataBytes: Int

    public init(
        headBytes: Int = 16_384, targetBytes: Int = 8_192, headerCount: Int = 100, bodyBytes: Int = 1 << 20,
        chunkMetadataBytes: Int = 4_096
    ) {
        self.headBytes = headBytes
        self.targetBytes = targetBytes
        self.headerCount = headerCount
        self.bodyBytes = bodyBytes
        self.chunkMetadataBytes = chunkMetadataBytes
    }
}
