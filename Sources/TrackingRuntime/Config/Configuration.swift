import Logging
import PolicyScript
import Tracking

/// The whole configuration file, validated.
public struct Configuration: Sendable {
    /// The file it was read from, for messages.
    public var file: String
    public var milter = MilterSettings()
    public var log = LogSettings()
    /// Tracking options for every listener (SPEC §2.1).
    public var tracking = TrackingOptions()
    /// Options per listener (`{daemon_name}`), each already merged over `tracking`.
    public var listeners: [String: TrackingOptions] = [:]
    /// Policy rules, in file order (SPEC §2.3).
    public var policy = Policy()
    /// The Lua policy (`policy_script`), loaded and checked; it runs after the rules. Nil
    /// when the configuration was read without it (the tracker, `decode`, `keygen`).
    public var policyScript: PolicyScript?
    /// Where `policy_script` is, relative paths resolved, whether or not it was loaded.
    public var policyScriptFile: String?
    public var tracker = TrackerSettings()
    /// The event spool and the sinks it is shipped to (`events:`).
    public var events = EventsSettings()
    /// The key file that seals tracked URLs (`keys.file`); relative paths are relative to
    /// the configuration file.
    public var keysFile = "/etc/tracking-milter/keys"
    /// Past any of these a message passes unchanged, and the log line says which.
    public var limits = RewriteLimits()
    /// How much of a rewritten body stays in memory, and where the rest goes (`limits.spill_*`).
    public var spill = BodySpillSettings()

    public init(file: String) { self.file = file }

    /// The options for a listener: its own section, or the general one.
    public func trackingOptions(listener: String?) -> TrackingOptions {
        listener.flatMap { listeners[$0] } ?? tracking
    }
}

/// The `milter:` section.
public struct MilterSettings: Sendable {
    /// Where the milter listens, in libmilter's notation (`unix:/path`, `inet:port@host`),
    /// with its place in the file: the milter parses it, and a bad one is reported there.
    public var socket = Located("unix:/run/tracking-milter/milter.sock")
    /// Mode of a unix socket; the MTA's user must be able to connect.
    public var socketMode: UInt32 = 0o660
    /// Seconds libmilter waits on the MTA.
    public var timeout = 300
    public var onError: OnError = .accept
    public var headerErrors: HeaderErrorPolicy = .reject
    public var stripAPIHeader = true
    public var recipientMode: RecipientMode = .split
    /// Rewrite messages that already carry a DKIM-Signature (which rewriting breaks).
    public var rewriteSigned = false
    /// The crash journal: the messages in flight, so that one that crashed the milter
    /// passes unchanged when the MTA retries it (nil: off).
    public var poisonJournal: String?
    /// Where to serve Prometheus `/metrics` and `/healthz` over HTTP (nil: off).
    public var metricsListen: ListenAddress?

    public init() {}
}

/// What the milter answers when its own processing of a message fails (SPEC §7).
public enum OnError: String, Sendable, CaseIterable {
    /// Deliver the message unchanged: mail is never lost for a milter bug.
    case accept
    /// Ask the client to try again later.
    case tempfail
}

/// What a bad X-MSYS-API header does to its message.
public enum HeaderErrorPolicy: String, Sendable, CaseIterable {
    /// `550 5.6.0` with Momentum's text.
    case reject
    /// Log it and deliver the message untracked.
    case ignore
}

/// How a transaction with several recipients is handled (SPEC §3).
public enum RecipientMode: String, Sendable, CaseIterable {
    /// One recipient per transaction: later RCPTs get `452 4.5.3`.
    case split
    /// Several recipients share one body, tracked without recipient data.
    case shared
}

/// The `log:` section.
public struct LogSettings: Sendable {
    public var format: LogFormat = .logfmt
    public var level: Logger.Level = .info
    /// Also send lines to syslog, facility mail.
    public var syslog = false

    public init() {}
}

/// The shape of log lines on stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    case logfmt, json
}
