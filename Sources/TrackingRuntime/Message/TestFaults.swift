#if canImport(Glibc)
import Glibc
#endif

/// Faults that only tests switch on, to prove what happens when the milter is slow or
/// crashes on a message: `TRACKING_MILTER_TEST_FAULTS=KIND:MATCH[:SECONDS],...` where KIND
/// is `delay-eom` (sleep SECONDS at end of message) or `crash-eom` (a Swift trap at end of
/// message), for messages whose Message-ID header contains MATCH. The service logs a
/// warning at start-up when any is set; nothing else reads this variable.
public struct TestFaults: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case delayEndOfMessage = "delay-eom"
        case crashEndOfMessage = "crash-eom"
    }

    public struct Fault: Sendable, Equatable {
        public var kind: Kind
        public var match: String
        public var seconds: Double
    }

    public static let variable = "TRACKING_MILTER_TEST_FAULTS"
    public var faults: [Fault] = []

    public init(faults: [Fault] = []) { self.faults = faults }

    /// The faults in the environment; entries that do not parse are ignored (and listed).
    public static func fromEnvironment() -> (TestFaults, ignored: [String]) {
        guard let raw = getenv(variable) else { return (TestFaults(), []) }
        return parse(String(cString: raw))
    }

    static func parse(_ text: String) -> (TestFaults, ignored: [String]) {
        var faults = TestFaults()
        var ignored: [String] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, let kind = Kind(rawValue: parts[0]), !parts[1].isEmpty else {
                ignored.append(String(entry))
                continue
            }
            let seconds = parts.count > 2 ? Double(parts[2]) ?? 0 : 0
            faults.faults.append(Fault(kind: kind, match: parts[1], seconds: min(max(seconds, 0), 3600)))
        }
        return (faults, ignored)
    }

    public var isEmpty: Bool { faults.isEmpty }

    /// Carries out the faults for a message at end of message.
    func atEndOfMessage(messageID: String?) {
        guard let messageID else { return }
        for fault in faults where messageID.contains(fault.match) {
            switch fault.kind {
            case .delayEndOfMessage:
                var duration = timespec(tv_sec: Int(fault.seconds), tv_nsec: Int(fault.seconds.truncatingRemainder(dividingBy: 1) * 1e9))
                var remaining = timespec()
                while nanosleep(&duration, &remaining) != 0 && errno == EINTR { duration = remaining }
            case .crashEndOfMessage:
                fatalError("test fault crash-eom for \(messageID)")
            }
        }
    }
}
