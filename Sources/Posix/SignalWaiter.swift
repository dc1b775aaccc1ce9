#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that waits for signals with `sigwait` and calls a handler for each:
/// the safe way to act on a signal in a threaded process (no async-signal-safety limits).
/// The signals must be blocked in every thread first, before any thread starts.
public enum SignalWaiter {
    /// Starts the thread; it runs for the life of the process.
    public static func start(waitingFor signals: [Int32], _ handle: @escaping @Sendable (Int32) -> Void) throws(PosixError) {
        let box = Unmanaged.passRetained(SignalWaiterBox(signals: signals, handle: handle)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, signalWaiterMain, box)
        guard result == 0 else {
            Unmanaged<SignalWaiterBox>.fromOpaque(box).release()
            throw PosixError(call: "pthread_create", errno: result)
        }
        pthread_detach(thread)
    }
}

final class SignalWaiterBox: Sendable {
    let signals: [Int32]
    let handle: @Sendable (Int32) -> Void

    init(signals: [Int32], handle: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        self.handle = handle
    }
}

/// The thread's C entry point: a plain global function, never isolated to an actor.
private func signalWaiterMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let box = Unmanaged<SignalWaiterBox>.fromOpaque(raw).takeRetainedValue()
    var set = sigset_t()
    sigemptyset(&set)
    for signal in box.signals { sigaddset(&set, signal) }
    while true {
        var signal: Int32 = 0
        if sigwait(&set, &signal) == 0 { box.handle(signal) }
    }
}
