import Logging
import Posix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Remembers the messages the milter is working on, so that a message that crashes the
/// process cannot crash it again when the MTA retries it: one bug must not stop all mail.
///
/// The journal is a small file of fixed size, mapped into memory. Starting a message writes
/// its fingerprint into a free slot and finishing clears it: plain stores into shared
/// memory, no system call on the per-message path. The page cache keeps them when the
/// process dies. A fatal signal (a Swift trap, a segfault, an abort) also marks the file
/// "crashed", and the slot of the thread that crashed, before the process goes on dying.
///
/// At start-up the leftovers are read back:
/// - after a crash, the crashing thread's message (or, when that thread is not known,
///   every message then in flight) becomes a *suspect*: when it comes back it passes
///   unchanged, with `outcome=poison-bypassed`;
/// - after a SIGKILL, an OOM kill or a power loss there is no crash mark: the messages in
///   flight were interrupted, not guilty, and are only logged (the MTA retries them).
/// Suspects expire after `suspectLifetime` and at most `maxSuspects` are kept.
public final class PoisonJournal: Sendable {
    public static let slotCount = 512
    public static let maxSuspects = 256
    /// Five days: Postfix's default `maximal_queue_lifetime`.
    public static let suspectLifetime = 5 * 86_400

    /// What start-up found in the journal.
    public struct Recovery: Sendable, Equatable {
        /// Messages in flight when the previous process ended.
        public var leftover = 0
        /// Whether it ended by a fatal signal (rather than SIGKILL or power loss).
        public var crashed = false
        /// Suspects now in force (new ones included).
        public var suspects = 0
        /// Suspects added by this recovery.
        public var newSuspects = 0
    }

    let path: String
    private let region: JournalRegion
    private let free: Mutex<[Int32]>
    private let suspects: [MessageFingerprint]
    public let recovery: Recovery

    /// Opens (or creates) the journal at `path`, recovers what the previous process left,
    /// and arms the crash marker. `now` is Unix time in seconds.
    public init(path: String, now: Int) throws(PosixError) {
        let fd = try Posix.call("open \(path)") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        let previous = JournalFile.read(fd)
        var recovery = Recovery(leftover: previous.inFlight.count, crashed: previous.crashed)
        var suspects = previous.suspects.filter { $0.expiresAt > now }
        let guilty: [MessageFingerprint]
        if previous.crashed {
            guilty = previous.culprit.map { [$0] } ?? previous.inFlight
        } else {
            guilty = []
        }
        for fingerprint in guilty where !suspects.contains(where: { $0.digest == fingerprint.digest }) {
            suspects.append(MessageFingerprint(digest: fingerprint.digest, expiresAt: now + Self.suspectLifetime))
            recovery.newSuspects += 1
        }
        suspects = Array(suspects.suffix(Self.maxSuspects))
        recovery.suspects = suspects.count
        try JournalFile.writeFresh(fd, slots: Self.slotCount, suspects: suspects)
        region = try JournalRegion(fd: fd, slots: Self.slotCount)
        self.path = path
        self.suspects = suspects
        self.recovery = recovery
        free = Mutex(Array((0..<Int32(Self.slotCount)).reversed()))
        CrashMarker.arm(region)
    }

    /// Whether `fingerprint` crashed the milter before.
    public func isSuspect(_ fingerprint: MessageFingerprint) -> Bool {
        suspects.contains { $0.digest == fingerprint.digest }
    }

    /// Records a message as in flight; nil when every slot is taken (then the message is
    /// simply not journalled).
    public func begin(_ fingerprint: MessageFingerprint) -> InFlight? {
        guard let slot = free.withLock({ $0.popLast() }) else { return nil }
        region.write(slot: Int(slot), fingerprint.digest)
        return InFlight(journal: self, slot: slot)
    }

    fileprivate func end(_ slot: Int32) {
        region.clear(slot: Int(slot))
        free.withLock { $0.append(slot) }
    }

    /// A message in flight; `end()` once it is done (any outcome).
    public final class InFlight: Sendable {
        private let journal: PoisonJournal
        private let slot: Int32
        private let ended = Atomic(false)

        fileprivate init(journal: PoisonJournal, slot: Int32) {
            self.journal = journal
            self.slot = slot
        }

        /// Runs `work` for this message on the calling thread, so that a crash inside it
        /// names this message (libmilter may call a session on a different thread each step).
        public func perform<T>(_ work: () throws -> T) rethrows -> T {
            CrashMarker.setCurrentSlot(slot)
            defer { CrashMarker.setCurrentSlot(nil) }
            return try work()
        }

        public func end() {
            guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
            journal.end(slot)
        }

        deinit { end() }
    }
}

/// A message's identity across the MTA's retries: a digest of its Message-ID, envelope and
/// first body bytes (never of headers the MTA adds per attempt, such as Received).
public struct MessageFingerprint: Sendable, Equatable {
    /// 32 bytes.
    public let digest: [UInt8]
    /// Unix seconds; used for suspects only.
    var expiresAt: Int = 0

    public init(digest: [UInt8], expiresAt: Int = 0) {
        self.digest = digest
        self.expiresAt = expiresAt
    }
}
