import Posix

/// A spool operation that failed, saying what to do next.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// The system call underneath, when there was one.
    public let cause: PosixError?

    public init(_ description: String, cause: PosixError? = nil) {
        self.description = description
        self.cause = cause
    }
}
