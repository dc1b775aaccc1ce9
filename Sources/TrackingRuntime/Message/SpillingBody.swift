import Posix
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// The milter's body sink: the first `thresholdBytes` of a new body in memory (segments),
/// the rest in an unnamed temporary file in the spill directory, made at the first byte
/// past the threshold. The file has no name from the start and is closed when the sink is
/// emptied or freed, so nothing is left behind, whatever becomes of the message or the
/// process. Memory per message is then the threshold plus two fixed buffers, whatever the
/// message's size.
public final class SpillingBody: BodySink {
    /// File writes are gathered to this size (one segment).
    static let stagingBytes = SegmentedBody.defaultSegmentBytes
    /// The file is read back in pieces of this size, into one buffer (libmilter sends
    /// 64 KB packets anyway: a bigger buffer would only add to the peak).
    static let readBytes = SegmentedBody.defaultSegmentBytes

    private let thresholdBytes: Int
    private let directory: String
    private let memory: SegmentedBody
    /// The spill file, once a byte went past the threshold.
    private var file: Int32?
    private var fileBytes = 0
    /// Bytes past the threshold not yet written to the file.
    private var staging: [UInt8] = []
    public private(set) var count = 0

    /// - Parameter sizeHint: the body's expected size, when known (sizes the first segment).
    public init(settings: BodySpillSettings, sizeHint: Int? = nil) {
        thresholdBytes = max(settings.thresholdBytes, 0)
        directory = settings.directory.value
        memory = SegmentedBody(sizeHint: sizeHint.map { min($0, settings.thresholdBytes) })
    }

    deinit { closeFile() }

    /// Whether bytes went to a file (for tests and the log).
    public var spilled: Bool { file != nil }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(SpillError) {
        var rest = bytes
        if file == nil && staging.isEmpty {
            let n = min(max(thresholdBytes - memory.count, 0), bytes.count)
            memory.append(UnsafeRawBufferPointer(rebasing: bytes[..<n]))
            rest = UnsafeRawBufferPointer(rebasing: bytes[n...])
        }
        if !rest.isEmpty { try spill(rest) }
        count += bytes.count
    }

    public func removeAll() {
        memory.removeAll()
        staging = []
        closeFile()
        count = 0
    }

    /// The memory segments, then the file in pieces of `readBytes`, then what was not written yet.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try memory.forEachChunk(body)
        if let file, fileBytes > 0 {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(Self.readBytes, fileBytes), alignment: 16)
            defer { buffer.deallocate() }
            var offset = 0
            while offset < fileBytes {
                let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, fileBytes - offset)])
                let n: Int
                do { n = try Posix.read(file, into: piece, at: offset) } catch {
                    throw SpillError(.read, directory: directory, error)
                }
                // Shorter than written: something cut the file; never hand on a truncated body.
                guard n == piece.count else { throw SpillError(.read, directory: directory, PosixError(call: "pread", errno: EIO)) }
                try body(UnsafeRawBufferPointer(piece))
                offset += n
            }
        }
        if !staging.isEmpty { try staging.withUnsafeBytes { try body($0) } }
    }

    /// Past the threshold: gathered into `staging`, written out a segment at a time (a
    /// piece of at least a segment goes straight to the file).
    private func spill(_ bytes: UnsafeRawBufferPointer) throws(SpillError) {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            if staging.isEmpty && rest.count >= Self.stagingBytes {
                try write(rest)
                return
            }
            if staging.capacity < Self.stagingBytes { staging.reserveCapacity(Self.stagingBytes) }
            let n = min(Self.stagingBytes - staging.count, rest.count)
            staging.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<n]))
            offset += n
            if staging.count == Self.stagingBytes {
                let result: Result<Void, SpillError> = staging.withUnsafeBytes { staged in
                    do throws(SpillError) { return .success(try write(staged)) } catch { return .failure(error) }
                }
                try result.get()
                staging.removeAll(keepingCapacity: true)
            }
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(SpillError) {
        let fd: Int32
        if let file {
            fd = file
        } else {
            do { fd = try Posix.openUnnamedFile(inDirectory: directory) } catch {
                throw SpillError(.create, directory: directory, error)
            }
            file = fd
        }
        do { try Posix.writeAll(fd, bytes) } catch { throw SpillError(.write, directory: directory, error.error) }
        fileBytes += bytes.count
    }

    private func closeFile() {
        if let file { Posix.close(file) }
        file = nil
        fileBytes = 0
    }
}

/// A spill file that could not be made, written or read back. Writing fails before the
/// MTA is answered: the message gets the `on_error` reply. Reading back fails while the
/// new body is being sent: the message is tempfailed (never delivered half replaced).
public struct SpillError: Error, Sendable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case create = "cannot make a spill file"
        case write = "cannot write the spill file"
        case read = "cannot read the spill file back"
    }

    public let step: Step
    public let directory: String
    public let error: PosixError

    init(_ step: Step, directory: String, _ error: PosixError) {
        self.step = step
        self.directory = directory
        self.error = error
    }

    public var description: String {
        "\(step.rawValue) in \(directory) (\(error)); check the free space there and limits.spill_directory"
    }
}
