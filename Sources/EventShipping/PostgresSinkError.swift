import PostgresNIO

/// A batch did not reach PostgreSQL. The shipper logs it and offers the batch again after
/// its backoff; the events wait in the spool meanwhile.
public struct PostgresSinkError: Error, CustomStringConvertible {
    public let description: String

    init(endpoint: PostgresEndpoint, doing: String, error: any Error) {
        description = "PostgreSQL at \(endpoint.display), \(doing): \(Self.summary(error)); "
            + Self.advice(error, endpoint: endpoint)
    }

    /// What went wrong in one line: the server's SQLSTATE and message, or the connection's fate.
    public static func summary(_ error: any Error) -> String {
        guard let error = psqlError(error) else { return "\(error)" }
        if let info = error.serverInfo {
            return "\(info[.sqlState] ?? "?????") \(info[.message] ?? "(no message)")"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    /// A server error of class 22 (data exception: a value the column or the database's
    /// encoding cannot hold) or 54 (a program limit): the same statement would fail again.
    static func isDataError(_ error: any Error) -> Bool {
        guard let state = psqlError(error)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("22") || state.hasPrefix("54")
    }

    /// The error from the server or the connection, also when a transaction wraps it (the
    /// statement's error first: a failed rollback after it says less).
    public static func psqlError(_ error: any Error) -> PSQLError? {
        if let error = error as? PSQLError { return error }
        guard let transaction = error as? PostgresTransactionError else { return nil }
        for inner in [transaction.beginError, transaction.closureError, transaction.commitError, transaction.rollbackError] {
            if let inner, let found = psqlError(inner) { return found }
        }
        return nil
    }

    private static func advice(_ error: any Error, endpoint: PostgresEndpoint) -> String {
        guard let error = psqlError(error) else { return "the batch stays in the spool and is retried" }
        switch error.serverInfo?[.sqlState] {
        case "28P01", "28000":
            return "check the user and password in events.postgres (url or password_file)"
        case "3D000":
            return "create the database first: createdb -O \(endpoint.target.user) \(endpoint.target.database)"
        case "42501":
            return "grant \(endpoint.target.user) the right to create tables in \(endpoint.target.database), or create them as the owner by running the shipper once as that user"
        case nil where error.code == .connectionError || error.code == .serverClosedConnection:
            return "is PostgreSQL running and listening on \(endpoint.target.host):\(endpoint.target.port)? The batch stays in the spool and is retried"
        default:
            return "the batch stays in the spool and is retried"
        }
    }
}
