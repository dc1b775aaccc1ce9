import Posix
import Tracking

/// One whole message through the same `MessageProcessor` the milter session drives, fed in
/// milter-sized pieces, with the outcome applied the way the MTA would apply it. Behind the
/// `rewrite` command and the rewrite benchmark, so what they show is what the milter does.
public enum OfflineRewrite {
    /// libmilter hands bodies over in chunks of at most this many bytes.
    public static let chunkSize = 65535

    /// What became of the message: rejected (with the reply), or what the MTA would deliver.
    public enum Result {
        case rejected(APIHeaderError)
        case delivered(DeliveredMessage)
        /// `on_error: tempfail` after an internal failure: the MTA would answer 451.
        case tempfailed
    }

    /// Runs `message` for `envelope` and returns the result and the message's log metadata.
    public static func run(_ message: RawMessage, envelope: MessageEnvelope, service: TrackingService)
        -> (result: Result, outcome: MessageOutcome)
    {
        let processor = MessageProcessor(service: service, envelope: envelope, bodySizeHint: message.body.count)
        for field in message.fields { processor.header(name: field.name, value: field.value) }
        let body = message.body
        var offset = body.startIndex
        repeat {
            let end = min(offset + chunkSize, body.endIndex)
            body[offset..<end].withUnsafeBytes { processor.body($0) }
            offset = end
        } while offset < body.endIndex
        let outcome = processor.finish()
        switch outcome.action {
        case .reject(let error):
            return (.rejected(error), outcome)
        case .deliver(let delivery):
            return (.delivered(message.applying(delivery)), outcome)
        case .failed(.accept):
            return (.delivered(message.applying(Delivery(deleteAPIHeaders: nil, headerChanges: [], body: nil))), outcome)
        case .failed(.tempfail):
            return (.tempfailed, outcome)
        }
    }
}

/// A message as the MTA would deliver it: the edited header block, then the original body
/// or the new one, handed on in pieces (a new body may be partly in a spill file).
public struct DeliveredMessage {
    public let header: [UInt8]
    let original: ArraySlice<UInt8>
    let newBody: (any BodySink)?

    /// The header block, then the body, in order, in pieces valid only during each call.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try header.withUnsafeBytes { try body($0) }
        if let newBody { try newBody.forEachChunk(body) } else { try original.withUnsafeBytes { try body($0) } }
    }

    /// Writes the whole message to `fd` (the `rewrite` command's standard output).
    public func write(to fd: Int32) throws {
        try forEachChunk { try Posix.writeAll(fd, $0) }
    }

    /// The whole message as one array (a copy; for tests).
    public func bytes() throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk { out.append(contentsOf: $0) }
        return out
    }
}

extension RawMessage {
    /// The message as delivered after `delivery`: header edits in place, the new body if any.
    public func applying(_ delivery: Delivery) -> DeliveredMessage {
        DeliveredMessage(
            header: headerBlock(
                deleting: delivery.deleteAPIHeaders?.name, changes: delivery.headerChanges, adding: delivery.addedHeaders),
            original: body, newBody: delivery.body)
    }
}
