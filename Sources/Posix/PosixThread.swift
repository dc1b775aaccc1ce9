import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX thread running one Swift closure, for C libraries that must own a thread
/// (libmilter's `smfi_main` blocks signals in the thread that calls it). `join` waits for it.
public final class PosixThread: Sendable {
    private let thread: Mutex<pthread_t?>
    private let finished = FinishedFlag()

    /// Starts `body` on a new thread; the thread inherits the caller's signal mask.
    public init(_ body: @escaping @Sendable () -> Void) throws(PosixError) {
        thread = Mutex(nil)
        let box = Unmanaged.passRetained(PosixThreadBox(body: body, done: { [finished] in finished.set() })).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, posixThreadMain, box)
        guard result == 0 else {
            Unmanaged<PosixThreadBox>.fromOpaque(box).release()
            throw PosixError(call: "pthread_create", errno: result)
        }
        thread.withLock { $0 = handle }
    }

    /// Whether `body` has returned.
    public var isFinished: Bool { finished.isSet }

    /// Waits for `body` to return (once; later calls return at once).
    public func join() {
        guard let handle = thread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) else { return }
        pthread_join(handle, nil)
    }
}

final class FinishedFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

final class PosixThreadBox: Sendable {
    let body: @Sendable () -> Void
    let done: @Sendable () -> Void

    init(body: @escaping @Sendable () -> Void, done: @escaping @Sendable () -> Void) {
        self.body = body
        self.done = done
    }
}

/// The thread's C entry point: a plain global function, never isolated to an actor.
private func posixThreadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let box = Unmanaged<PosixThreadBox>.fromOpaque(raw).takeRetainedValue()
    box.body()
    box.done()
    return nil
}
