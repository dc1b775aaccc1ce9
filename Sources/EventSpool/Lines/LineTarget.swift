/// Where a `LineAppender` sends each line: one output (the events file), or the spool's
/// current segment, which may change between lines (rotation) or refuse one (full).
public protocol LineTarget {
    /// Where a line of `bytes` bytes goes now.
    mutating func destination(forLineOf bytes: Int) -> LineDestination
    /// The line went out whole to the output `destination` gave.
    mutating func wrote(_ bytes: Int)
    /// A write to that output failed; `torn` when part of the line stays in it (it could
    /// not be cut back).
    mutating func failed(torn: Bool)
    /// Whether the rest of a torn line is written later to the same output (a pipe: the line
    /// is completed), or the whole line is written again elsewhere (the spool: the torn
    /// segment is closed, its fragment after the last newline ignored by readers).
    var finishesTornLines: Bool { get }
}

/// The answer of `LineTarget.destination(forLineOf:)`.
public enum LineDestination {
    case output(any EventOutput)
    /// No output takes lines now: keep the line in the backlog and try again later.
    case keep
    /// Give the line up (the target counted why).
    case drop
}

/// The one output of a file or standard output.
public struct SingleOutput: LineTarget {
    public var output: any EventOutput

    public init(_ output: any EventOutput) { self.output = output }

    public func destination(forLineOf bytes: Int) -> LineDestination { .output(output) }
    public func wrote(_ bytes: Int) {}
    public func failed(torn: Bool) {}
    public var finishesTornLines: Bool { true }
}
