/// A body kept in memory as fixed-size segments: appending never copies what is already
/// there and never reserves more than one segment ahead, so a body of any size costs about
/// its own size, with or without a size hint.
public final class SegmentedBody: BodySink {
    /// 256 KiB: big enough that a segment change is rare next to the 64 KB pieces the MTA
    /// sends, small enough that the unused tail of the last one does not matter.
    public static let defaultSegmentBytes = 256 * 1024

    public let segmentBytes: Int
    /// Capacity the first segment is reserved with; later segments get `segmentBytes`.
    private let firstSegmentBytes: Int?
    private var segments: [[UInt8]] = []
    public private(set) var count = 0

    /// - Parameters:
    ///   - segmentBytes: bytes per segment (at least 1).
    ///   - sizeHint: the body's expected size, when known (a file's size, SMTP `SIZE=`): a
    ///     body that fits one segment is then reserved once. Without it the first segment
    ///     grows as an array does, up to `segmentBytes`; a wrong hint costs nothing more.
    public init(segmentBytes: Int = defaultSegmentBytes, sizeHint: Int? = nil) {
        let segmentBytes = max(1, segmentBytes)
        self.segmentBytes = segmentBytes
        // Rewritten links make the body a little longer.
        firstSegmentBytes = sizeHint.map { min(max($0, 0) / 8 &* 9 &+ 1024, segmentBytes) }
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if segments.isEmpty || segments[segments.count - 1].count >= segmentBytes {
                var segment: [UInt8] = []
                if !segments.isEmpty {
                    segment.reserveCapacity(segmentBytes)
                } else if let firstSegmentBytes {
                    segment.reserveCapacity(firstSegmentBytes)
                }
                segments.append(segment)
            }
            let last = segments.count - 1
            let n = min(segmentBytes - segments[last].count, bytes.count - offset)
            segments[last].appendMIMEBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
        count += bytes.count
    }

    public func removeAll() {
        segments = []
        count = 0
    }

    /// Hands over the segments in order; throws only what `body` throws.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for segment in segments {
            try segment.withUnsafeBytes { try body($0) }
        }
    }

    /// The whole body as one array (a copy).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }
}
