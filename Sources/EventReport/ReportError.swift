import EventShipping

/// Why a report could not be made, and what to do about it.
public enum ReportError: Error, CustomStringConvertible {
    case cannotConnect(PostgresEndpoint, reason: String)
    case noEventsTable(PostgresEndpoint)
    case queryFailed(PostgresEndpoint, reason: String)
    case badPostgresSettings(String)
    case cannotRead(String, reason: String)
    case nothingToRead(configFile: String)

    public var description: String {
        switch self {
        case let .cannotConnect(endpoint, reason):
            return "cannot connect to PostgreSQL at \(endpoint.target.host):\(endpoint.target.port) (database \(endpoint.target.database), events.postgres.url): \(reason); "
                + "check that the service is running (pg_lsclusters, systemctl status postgresql), listens on that address, and that the user and password are right"
        case let .noEventsTable(endpoint):
            return "PostgreSQL at \(endpoint.display) has no tracking_events table yet: nothing was shipped there; "
                + "run tracking-milter ship --config FILE (or the tracker with events.postgres set) first"
        case let .queryFailed(endpoint, reason):
            return "the report query failed on PostgreSQL at \(endpoint.display): \(reason)"
        case let .badPostgresSettings(reason):
            return reason
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason); run report as a user that can read the spool and the events file"
        case let .nothingToRead(file):
            return "\(file) configures nowhere to read events from: set events.postgres, events.spool or tracker.events_file (a file, not -)"
        }
    }
}

extension ReportError {
    /// sysexits: 78 for settings, 66 for files that cannot be read, 69 for a database that
    /// cannot be reached or queried.
    public var exitCode: Int32 {
        switch self {
        case .badPostgresSettings, .nothingToRead: 78
        case .cannotRead: 66
        case .cannotConnect, .noEventsTable, .queryFailed: 69
        }
    }
}
