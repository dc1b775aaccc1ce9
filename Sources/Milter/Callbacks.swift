import CMilter
#if canImport(Glibc)
import Glibc
#endif

// libmilter's C callbacks. They are plain global functions in this library target, not
// closures in main.swift: those would be main-actor isolated and trap (SIGILL) the first
// time a libmilter worker thread calls them.

/// The dispatcher the callbacks route to. Written once by `MilterServer` before
/// `smfi_main` starts any libmilter thread, and never again.
nonisolated(unsafe) var installedDispatcher: MilterDispatcher?

private func dispatch(_ ctx: OpaquePointer?, _ body: (MilterDispatcher, LibmilterContext) -> StepStatus) -> Int32 {
    guard let ctx, let dispatcher = installedDispatcher else { return SMFIS_TEMPFAIL }
    return body(dispatcher, LibmilterContext(ctx)).sfsistat
}

func milterNegotiate(
    _ ctx: OpaquePointer?, _ f0: UInt, _ f1: UInt, _ f2: UInt, _ f3: UInt,
    _ pf0: UnsafeMutablePointer<UInt>?, _ pf1: UnsafeMutablePointer<UInt>?,
    _ pf2: UnsafeMutablePointer<UInt>?, _ pf3: UnsafeMutablePointer<UInt>?
) -> sfsistat {
    dispatch(ctx) { d, c in
        let (actions, proto) = d.negotiate(c, offeredActions: f0, offeredProtocol: f1)
        pf0?.pointee = actions
        pf1?.pointee = proto
        pf2?.pointee = 0
        pf3?.pointee = 0
        return .continue
    }
}

func milterConnect(_ ctx: OpaquePointer?, _ host: UnsafeMutablePointer<CChar>?, _ addr: UnsafeMutablePointer<sockaddr>?) -> sfsistat {
    dispatch(ctx) { d, c in
        d.connect(c, hostname: host.map { String(cString: $0) } ?? "", address: ClientAddress(addr.map { UnsafePointer($0) }))
    }
}

func milterHelo(_ ctx: OpaquePointer?, _ name: UnsafeMutablePointer<CChar>?) -> sfsistat {
    dispatch(ctx) { d, c in d.helo(c, name: name.map { String(cString: $0) } ?? "") }
}

func milterEnvelopeFrom(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat {
    dispatch(ctx) { d, c in d.envelopeFrom(c, arguments: strings(argv)) }
}

func milterEnvelopeRecipient(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat {
    dispatch(ctx) { d, c in d.envelopeRecipient(c, arguments: strings(argv)) }
}

func milterData(_ ctx: OpaquePointer?) -> sfsistat {
    dispatch(ctx) { d, c in d.data(c) }
}

func milterHeader(_ ctx: OpaquePointer?, _ name: UnsafeMutablePointer<CChar>?, _ value: UnsafeMutablePointer<CChar>?) -> sfsistat {
    dispatch(ctx) { d, c in
        d.header(c, name: name.map { String(cString: $0) } ?? "", value: value.map(bytes) ?? [])
    }
}

func milterEndOfHeaders(_ ctx: OpaquePointer?) -> sfsistat {
    dispatch(ctx) { d, c in d.endOfHeaders(c) }
}

func milterBody(_ ctx: OpaquePointer?, _ bytes: UnsafeMutablePointer<UInt8>?, _ length: Int) -> sfsistat {
    dispatch(ctx) { d, c in d.body(c, chunk: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : length)) }
}

func milterEndOfMessage(_ ctx: OpaquePointer?) -> sfsistat {
    dispatch(ctx) { d, c in d.endOfMessage(c) }
}

func milterAbort(_ ctx: OpaquePointer?) -> sfsistat {
    dispatch(ctx) { d, c in d.abort(c) }
}

func milterClose(_ ctx: OpaquePointer?) -> sfsistat {
    dispatch(ctx) { d, c in d.close(c) }
}

func milterUnknown(_ ctx: OpaquePointer?, _ command: UnsafePointer<CChar>?) -> sfsistat {
    dispatch(ctx) { d, c in d.unknown(c, command: command.map { String(cString: $0) } ?? "") }
}

/// A C string's bytes as they are: header values may be in any encoding.
private func bytes(_ text: UnsafeMutablePointer<CChar>) -> [UInt8] {
    UnsafeRawBufferPointer(start: text, count: strlen(text)).map { $0 }
}

private func strings(_ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    guard let argv else { return [] }
    var result: [String] = []
    var i = 0
    while let p = argv[i] {
        result.append(String(cString: p))
        i += 1
    }
    return result
}
