import Logging
import Posix
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes each record as one logfmt or JSON line on stderr,
/// and to syslog (facility mail) when asked.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let encoder: LogLineEncoder
    private let syslog: Bool

    public init(format: LogFormat, level: Logger.Level, syslog: Bool) {
        encoder = LogLineEncoder(format: format)
        logLevel = level
        self.syslog = syslog
    }

    /// Installs the handler for the whole process. Call once, early in `main`.
    public static func bootstrap(_ settings: LogSettings, identifier: String = "tracking-milter") {
        if settings.syslog { openlog(identifier, LOG_PID, LOG_MAIL) }
        LoggingSystem.bootstrap { _ in
            LineLogHandler(format: settings.format, level: settings.level, syslog: settings.syslog)
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let line = encoder.encode(time: Timestamp.now(), level: event.level, message: event.message.description, metadata: all)
        writeLine(line)
        if syslog {
            withVaList([line]) { vsyslog(priority(event.level), "%s", $0) }
        }
    }

    private func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        // One write per line, so lines from concurrent sessions never interleave. A log line
        // that stderr refuses has nowhere else to go: it is dropped, never retried in a loop.
        bytes.withUnsafeBytes { raw in _ = try? Posix.writeAll(2, raw) }
    }

    private func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: return LOG_DEBUG
        case .info: return LOG_INFO
        case .notice: return LOG_NOTICE
        case .warning: return LOG_WARNING
        case .error: return LOG_ERR
        case .critical: return LOG_CRIT
        }
    }
}
