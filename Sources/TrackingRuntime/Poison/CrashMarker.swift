#if canImport(Glibc)
import Glibc
#endif

/// Marks the poison journal when the process receives a fatal signal (a Swift trap is
/// SIGILL or SIGTRAP; also SIGSEGV, SIGBUS, SIGFPE, SIGABRT), naming the slot of the
/// message the crashing thread was working on. Then the signal goes on to the handler that
/// was there before (Swift's backtracer, or the default action), so the process still dies
/// and reports as it would have.
///
/// The handler does only async-signal-safe work: stores into the mapped journal,
/// `pthread_getspecific`, `sigaction` and `raise`.
enum CrashMarker {
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

    /// Installs the handlers for `region` (once per process; a later call moves the mark).
    static func arm(_ region: JournalRegion) {
        crashMarkerBase = region.base
        if crashMarkerPrevious == nil {
            pthread_key_create(&crashMarkerSlotKey, nil)
            let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
            previous.initialize(repeating: sigaction(), count: 65)
            crashMarkerPrevious = previous
            for signal in signals {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = crashMarkerHandler
                action.sa_flags = SA_ONSTACK
                sigemptyset(&action.sa_mask)
                sigaction(signal, &action, previous + Int(signal))
            }
        }
    }

    /// The slot of the message the calling thread works on now (nil: none).
    static func setCurrentSlot(_ slot: Int32?) {
        guard crashMarkerPrevious != nil else { return }
        let value = slot.map { UnsafeMutableRawPointer(bitPattern: Int($0) + 1) } ?? nil
        pthread_setspecific(crashMarkerSlotKey, value)
    }
}

// Set once in `arm`, before any message is processed; read by the signal handler.
nonisolated(unsafe) private var crashMarkerBase: UnsafeMutableRawPointer?
nonisolated(unsafe) private var crashMarkerPrevious: UnsafeMutablePointer<sigaction>?
nonisolated(unsafe) private var crashMarkerSlotKey = pthread_key_t()

/// The signal handler: a plain global function (a C callback, never actor-isolated).
private func crashMarkerHandler(_ signal: Int32) {
    if let base = crashMarkerBase {
        (base + JournalFile.crashedOffset).storeBytes(of: 1, as: UInt8.self)
        if let slotPlusOne = pthread_getspecific(crashMarkerSlotKey) {
            let slot = Int32(truncatingIfNeeded: Int(bitPattern: slotPlusOne) - 1)
            (base + JournalFile.culpritOffset).storeBytes(of: slot, as: Int32.self)
        }
    }
    if let previous = crashMarkerPrevious, signal > 0, signal < 65 {
        sigaction(signal, previous + Int(signal), nil)
    }
    raise(signal)
}
