import EventSpool
import Logging

extension SpoolSettings {
    /// The writer for `producer`'s events, as both services make it at start-up; a spool
    /// directory that cannot be made or written stops start-up (exit 73, EX_CANTCREAT).
    public func makeWriter(producer: SpoolProducer, logger: Logger) throws(StartupError) -> SpoolWriter {
        do {
            return try SpoolWriter(
                directory: directory, producer: producer,
                limits: .init(maxBytes: maxBytes, segmentBytes: segmentBytes, whenFull: whenFull), logger: logger)
        } catch {
            throw StartupError("events.spool: \(error)", exitCode: 73)
        }
    }
}

extension EventsSettings {
    /// The spool writer for `producer` when `events.spool` is set; nil when spooling is off.
    public func makeSpoolWriter(producer: SpoolProducer, logger: Logger) throws(StartupError) -> SpoolWriter? {
        try spool?.makeWriter(producer: producer, logger: logger)
    }
}
