import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The poison journal's file layout, fixed size, little-endian:
///
/// - header, 64 bytes: magic `TMPJ`, version (UInt32), slot count (UInt32), suspect count
///   (UInt32), the crash mark (byte 16), the crashing thread's slot (Int32 at 20, -1: none);
/// - slots, 40 bytes each: state (byte 0: 1 in flight), the fingerprint (bytes 8..<40);
/// - suspects, 40 bytes each: expiry in Unix seconds (Int64), the fingerprint.
///
/// A file that does not match (another version, cut short) is read as empty: the journal
/// is a safety net, never a reason not to start.
enum JournalFile {
    static let magic: [UInt8] = Array("TMPJ".utf8)
    static let version: UInt32 = 1
    static let headerSize = 64
    static let entrySize = 40
    static let crashedOffset = 16
    static let culpritOffset = 20

    static func size(slots: Int) -> Int { headerSize + (slots + PoisonJournal.maxSuspects) * entrySize }
    static func slotOffset(_ slot: Int) -> Int { headerSize + slot * entrySize }

    struct Contents {
        var inFlight: [MessageFingerprint] = []
        var culprit: MessageFingerprint?
        var crashed = false
        var suspects: [MessageFingerprint] = []
    }

    static func read(_ fd: Int32) -> Contents {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= headerSize, info.st_size <= 1 << 20 else { return Contents() }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard got == bytes.count, Array(bytes[0..<4]) == magic, word(bytes, 4) == version else { return Contents() }
        let slots = Int(word(bytes, 8))
        let suspectCount = min(Int(word(bytes, 12)), PoisonJournal.maxSuspects)
        guard slots > 0, slots <= 65_536, bytes.count >= size(slots: slots) else { return Contents() }
        var contents = Contents()
        contents.crashed = bytes[crashedOffset] == 1
        let culprit = Int32(bitPattern: word(bytes, culpritOffset))
        for slot in 0..<slots {
            let at = slotOffset(slot)
            guard bytes[at] == 1 else { continue }
            let fingerprint = MessageFingerprint(digest: Array(bytes[(at + 8)..<(at + entrySize)]))
            contents.inFlight.append(fingerprint)
            if Int(culprit) == slot { contents.culprit = fingerprint }
        }
        for index in 0..<suspectCount {
            let at = slotOffset(slots + index)
            let expires = Int(Int64(bitPattern: UInt64(word(bytes, at)) | UInt64(word(bytes, at + 4)) << 32))
            contents.suspects.append(MessageFingerprint(digest: Array(bytes[(at + 8)..<(at + entrySize)]), expiresAt: expires))
        }
        return contents
    }

    /// Writes a fresh file: no message in flight, no crash mark, the given suspects.
    static func writeFresh(_ fd: Int32, slots: Int, suspects: [MessageFingerprint]) throws(PosixError) {
        var bytes = [UInt8](repeating: 0, count: size(slots: slots))
        bytes.replaceSubrange(0..<4, with: magic)
        put(&bytes, 4, version)
        put(&bytes, 8, UInt32(slots))
        put(&bytes, 12, UInt32(suspects.count))
        put(&bytes, culpritOffset, UInt32(bitPattern: -1))
        for (index, suspect) in suspects.prefix(PoisonJournal.maxSuspects).enumerated() {
            let at = slotOffset(slots + index)
            let expires = UInt64(bitPattern: Int64(suspect.expiresAt))
            put(&bytes, at, UInt32(truncatingIfNeeded: expires))
            put(&bytes, at + 4, UInt32(truncatingIfNeeded: expires >> 32))
            bytes.replaceSubrange((at + 8)..<(at + entrySize), with: suspect.digest.prefix(32))
        }
        try Posix.call("ftruncate") { ftruncate(fd, off_t(bytes.count)) }
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count else { throw PosixError(call: "pwrite", errno: written < 0 ? errno : EIO) }
        try Posix.call("fdatasync") { fdatasync(fd) }
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    private static func put(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
}

/// The journal file mapped into memory: slot writes are plain stores.
final class JournalRegion: @unchecked Sendable {
    // Written by one thread per slot (the slot's owner), and by the crash handler.
    let base: UnsafeMutableRawPointer
    let size: Int

    init(fd: Int32, slots: Int) throws(PosixError) {
        size = JournalFile.size(slots: slots)
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw PosixError(call: "mmap", errno: errno)
        }
        base = mapped
    }

    deinit { munmap(base, size) }

    func write(slot: Int, _ digest: [UInt8]) {
        let at = base + JournalFile.slotOffset(slot)
        digest.prefix(32).withUnsafeBytes { raw in
            if let source = raw.baseAddress { (at + 8).copyMemory(from: source, byteCount: raw.count) }
        }
        at.storeBytes(of: 1, as: UInt8.self)
    }

    func clear(slot: Int) {
        (base + JournalFile.slotOffset(slot)).storeBytes(of: 0, as: UInt8.self)
    }
}
