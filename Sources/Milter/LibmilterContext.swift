#if canImport(Glibc)
import Glibc
#endif
import CMilter

/// `MilterContext` over a real `SMFICTX *` from libmilter.
///
/// libmilter's `char *` parameters are not `const` but it does not write through them,
/// so Swift strings are passed with `withCString` and a mutating cast.
package struct LibmilterContext: MilterContext {
    let ctx: OpaquePointer

    package init(_ ctx: OpaquePointer) { self.ctx = ctx }

    package func symbolValue(_ name: String) -> String? {
        name.withCString { n in
            smfi_getsymval(ctx, UnsafeMutablePointer(mutating: n)).map { String(cString: $0) }
        }
    }

    package func setReply(_ reply: SMTPReply) -> Bool {
        // smfi_setreply treats the text as a format for the MTA; a lone '%' must be doubled.
        let lines = reply.lines.map { $0.replacingPercent() }
        if lines.count == 1 {
            return withC(reply.code, reply.enhancedCode, lines[0]) { c, x, t in
                smfi_setreply(ctx, c, x, t) == MI_SUCCESS
            }
        }
        return withCStrings(lines) { pointers in
            reply.code.withCString { c in
                withOptionalCString(reply.enhancedCode) { x in
                    cmilter_setmlreply(ctx, c, x, pointers, Int32(lines.count)) == MI_SUCCESS
                }
            }
        }
    }

    package func addHeader(name: String, value: String) -> Bool {
        withC(name, value) { n, v in smfi_addheader(ctx, n, v) == MI_SUCCESS }
    }

    package func insertHeader(at index: Int, name: String, value: String) -> Bool {
        withC(name, value) { n, v in smfi_insheader(ctx, Int32(clamping: index), n, v) == MI_SUCCESS }
    }

    package func changeHeader(name: String, index: Int, value: String?) -> Bool {
        name.withCString { n in
            withOptionalCString(value) { v in
                smfi_chgheader(ctx, UnsafeMutablePointer(mutating: n), Int32(clamping: index),
                               v.map { UnsafeMutablePointer(mutating: $0) }) == MI_SUCCESS
            }
        }
    }

    package func replaceBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return true }
        // smfi_replacebody takes an int length; feed very large pieces in slices.
        var offset = 0
        while offset < chunk.count {
            let n = min(chunk.count - offset, Int(Int32.max))
            let p = UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: UInt8.self))
            guard smfi_replacebody(ctx, p, Int32(n)) == MI_SUCCESS else { return false }
            offset += n
        }
        return true
    }

    package func addRecipient(_ address: String, parameters: String?) -> Bool {
        guard let parameters else {
            return withC(address) { a in smfi_addrcpt(ctx, a) == MI_SUCCESS }
        }
        return withC(address, parameters) { a, p in smfi_addrcpt_par(ctx, a, p) == MI_SUCCESS }
    }

    package func deleteRecipient(_ address: String) -> Bool {
        withC(address) { a in smfi_delrcpt(ctx, a) == MI_SUCCESS }
    }

    package func changeSender(_ address: String, parameters: String?) -> Bool {
        address.withCString { a in
            withOptionalCString(parameters) { p in
                smfi_chgfrom(ctx, UnsafeMutablePointer(mutating: a), p.map { UnsafeMutablePointer(mutating: $0) })
                    == MI_SUCCESS
            }
        }
    }

    package func quarantine(reason: String) -> Bool {
        withC(reason) { r in smfi_quarantine(ctx, r) == MI_SUCCESS }
    }

    package func progress() -> Bool { smfi_progress(ctx) == MI_SUCCESS }

    package func setMacroList(_ macros: String, at stage: MacroStage) -> Bool {
        withC(macros) { m in smfi_setsymlist(ctx, stage.rawValue, m) == MI_SUCCESS }
    }

    package var privateData: UnsafeMutableRawPointer? {
        get { smfi_getpriv(ctx) }
        nonmutating set { _ = smfi_setpriv(ctx, newValue) }
    }
}

private func withC<R>(_ a: String, _ body: (UnsafeMutablePointer<CChar>) -> R) -> R {
    a.withCString { body(UnsafeMutablePointer(mutating: $0)) }
}

private func withC<R>(_ a: String, _ b: String, _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>) -> R) -> R {
    a.withCString { pa in b.withCString { pb in body(UnsafeMutablePointer(mutating: pa), UnsafeMutablePointer(mutating: pb)) } }
}

private func withC<R>(
    _ a: String, _ b: String?, _ c: String,
    _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<CChar>) -> R
) -> R {
    a.withCString { pa in
        withOptionalCString(b) { pb in
            c.withCString { pc in
                body(UnsafeMutablePointer(mutating: pa), pb.map { UnsafeMutablePointer(mutating: $0) },
                     UnsafeMutablePointer(mutating: pc))
            }
        }
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

/// Calls `body` with a C array of C strings that live for the duration of the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension String {
    fileprivate func replacingPercent() -> String {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 4)
        for ch in self { out.append(ch == "%" ? "%%" : String(ch)) }
        return out
    }
}
