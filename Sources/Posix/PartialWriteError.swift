/// A write that stopped early: `written` bytes reached the file before `error`.
public struct PartialWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public let written: Int
    public let error: PosixError

    public init(written: Int, error: PosixError) {
        self.written = written
        self.error = error
    }

    public var description: String { "\(error) after \(written) bytes" }
}
