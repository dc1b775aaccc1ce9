/// Where the MIME walker writes a new body, and where the MTA-facing side reads it back.
///
/// Bodies run to tens of megabytes, so no implementation keeps them in one growing array:
/// its regrowth copies and up to 2 × capacity were most of a large message's peak memory.
/// `SegmentedBody` keeps fixed-size segments in memory; the milter's runtime has a sink
/// that keeps the first megabytes in memory and the rest in an unlinked temporary file.
public protocol BodySink: AnyObject {
    /// Bytes appended and kept so far.
    var count: Int { get }
    /// Appends `bytes` at the end. Throws when they cannot be kept (a full disk under a
    /// spilling sink); the walker then passes the message unchanged and says why.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Drops everything at once (the message passes unchanged): memory and files are freed.
    func removeAll()
    /// Hands the body to `body` in order, in pieces of bounded size, each valid only during
    /// its call. Throws what `body` throws, or when kept bytes cannot be read back.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension BodySink {
    /// The whole body as one array: a copy, for tests and small bodies (the milter streams
    /// `forEachChunk` instead).
    public func joined() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        try forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }
}
