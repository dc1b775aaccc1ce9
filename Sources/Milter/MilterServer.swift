import Posix
import CMilter
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs libmilter's server loop for one dispatcher.
///
/// libmilter keeps its state in globals, so a process runs one server.
public struct MilterServer: Sendable {
    public var socket: SocketSpec
    /// Mode of a unix socket (the MTA's user must be able to connect).
    public var socketMode: mode_t
    /// Seconds libmilter waits for the MTA before giving up on a connection.
    public var timeout: Int32
    /// Listen backlog.
    public var backlog: Int32
    /// Seconds to wait, after SIGTERM or SIGINT, for the transactions in flight to finish.
    public var drainSeconds: Int
    public let dispatcher: MilterDispatcher

    public init(
        socket: SocketSpec, dispatcher: MilterDispatcher, socketMode: mode_t = 0o660,
        timeout: Int32 = 300, backlog: Int32 = 128, drainSeconds: Int = 30
    ) {
        self.socket = socket
        self.dispatcher = dispatcher
        self.socketMode = socketMode
        self.timeout = timeout
        self.backlog = backlog
        self.drainSeconds = drainSeconds
    }

    /// Opens the socket (throwing a clear error when it cannot), then serves until SIGTERM
    /// or SIGINT. Call `MilterSignals.blockTerminationSignals()` first in `main`, and call
    /// this from the main thread. `listening` runs once the socket accepts connections;
    /// `reload` runs on SIGHUP or SIGUSR1.
    ///
    /// libmilter runs in a thread of its own; the calling thread waits for the signals.
    /// Linux hands a signal sent to the process to its main thread first when that thread
    /// is waiting for it, so the stop is ours to make graceful: new transactions are refused
    /// with `451 4.3.2`, the transactions in flight finish (at most `drainSeconds`), and
    /// only then is libmilter stopped. libmilter's own stop (still its signal thread's in
    /// the rare case that thread takes the signal) would freeze the transactions in flight:
    /// its worker pool stops serving them.
    public func run(listening: () -> Void = {}, reload: @escaping @Sendable () -> Void = {}) throws(MilterError) {
        try SocketPreflight.check(socket)
        installedDispatcher = dispatcher
        let spec = strdup(socket.description)
        guard smfi_setconn(spec) == MI_SUCCESS else { throw .invalidSocket("libmilter refused \(socket)") }
        _ = smfi_settimeout(timeout)
        _ = smfi_setbacklog(backlog)
        guard smfi_register(Self.descriptor(name: dispatcher.configuration.name)) == MI_SUCCESS else {
            throw .serverFailed("smfi_register refused the filter description")
        }
        guard smfi_opensocket(true) == MI_SUCCESS else {
            throw .cannotOpenSocket(spec: "\(socket)", reason: "libmilter could not bind or listen (check permissions and the address)")
        }
        switch socket {
        case .unix(let path):
            do { try Posix.chmod(path, socketMode) } catch {
                throw .cannotOpenSocket(spec: "\(socket)", reason: "\(error)")
            }
        case .inet, .inet6:
            Self.setNoDelayOnListeners()
        }
        let result = Atomic(MI_SUCCESS)
        let server: PosixThread
        do {
            server = try PosixThread { result.store(smfi_main(), ordering: .releasing) }
        } catch {
            throw .serverFailed("cannot start libmilter's thread: \(error)")
        }
        listening()
        waitForStop(server, reload: reload)
        server.join()
        if case .unix(let path) = socket { unlink(path) }
        guard result.load(ordering: .acquiring) == MI_SUCCESS else { throw .serverFailed("smfi_main ended with an error") }
    }

    /// Takes SIGTERM/SIGINT (graceful stop) and SIGHUP/SIGUSR1 (reload) until libmilter ends.
    private func waitForStop(_ server: PosixThread, reload: @Sendable () -> Void) {
        let signals = [SIGTERM, SIGINT, SIGHUP, MilterSignals.reloadSignal]
        while !server.isFinished {
            guard let signal = Posix.waitForSignal(signals, milliseconds: 250) else { continue }
            if signal == SIGHUP || signal == MilterSignals.reloadSignal {
                reload()
                continue
            }
            drainThenStop()
            return
        }
    }

    /// Refuses new transactions, waits (bounded) for those in flight, then stops libmilter.
    private func drainThenStop() {
        let logger = dispatcher.configuration.logger
        dispatcher.beginDraining()
        let inFlight = dispatcher.messagesInFlight
        logger.info("stopping: new transactions are refused with 451 4.3.2; waiting for those in flight",
                    metadata: ["in_flight": "\(inFlight)", "drain_seconds": "\(drainSeconds)"])
        var waited = 0
        while dispatcher.messagesInFlight > 0 && waited < drainSeconds * 20 {
            usleep(50_000)
            waited += 1
        }
        if dispatcher.messagesInFlight > 0 {
            logger.warning("transactions still in flight after the drain period; the MTA tempfails them",
                           metadata: ["in_flight": "\(dispatcher.messagesInFlight)", "drain_seconds": "\(drainSeconds)"])
        }
        _ = smfi_stop()
    }

    /// libmilter never sets TCP_NODELAY and gives no handle to its socket. Accepted sockets
    /// inherit the option from the listener on Linux, so set it on every listening TCP socket
    /// of the process; without it each message waits for delayed ACKs (about 10x slower).
    private static func setNoDelayOnListeners() {
        let limit = min(Int32(getdtablesize()), 4096)
        for fd in 0..<limit where Posix.getOption(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let ok = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
            }
            let family = Int32(storage.ss_family)
            if ok && (family == AF_INET || family == AF_INET6) {
                try? Posix.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            }
        }
    }

    private static func descriptor(name: String) -> smfiDesc {
        var desc = smfiDesc()
        desc.xxfi_name = strdup(name)
        desc.xxfi_version = cmilter_version_code()
        desc.xxfi_flags = UInt(SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_CHGHDRS
            | SMFIF_QUARANTINE | SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR | SMFIF_SETSYMLIST)
        desc.xxfi_connect = milterConnect
        desc.xxfi_helo = milterHelo
        desc.xxfi_envfrom = milterEnvelopeFrom
        desc.xxfi_envrcpt = milterEnvelopeRecipient
        desc.xxfi_header = milterHeader
        desc.xxfi_eoh = milterEndOfHeaders
        desc.xxfi_body = milterBody
        desc.xxfi_eom = milterEndOfMessage
        desc.xxfi_abort = milterAbort
        desc.xxfi_close = milterClose
        desc.xxfi_unknown = milterUnknown
        desc.xxfi_data = milterData
        desc.xxfi_negotiate = milterNegotiate
        return desc
    }
}
