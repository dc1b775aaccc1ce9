// The structured header field parsers of the MIME walker: the field-value scanner, the
// Content-Type / Content-Disposition parser, the transfer-encoding names and the entity
// classification, then the whole walker with the value as its top-level Content-Type.
// They are internal, hence the testable import (the fuzz build adds -enable-testing).
import FuzzSupport
@testable import Tracking

runFuzzer { data in
    let value = Array(data)
    checkScanner(value)
    checkContentType(value)
    checkDisposition(value)
    checkTransferEncoding(value)
    checkWalker(value)
}

func checkScanner(_ value: [UInt8]) {
    var scanner = MIMEFieldValueScanner(value)
    let stops: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "/")]
    func inBounds(_ step: String) {
        require(scanner.index >= 0 && scanner.index <= value.count, "\(step) left the index at \(scanner.index) of \(value.count)")
    }
    while !scanner.isAtEnd {
        let before = scanner.index
        scanner.skipCFWS()
        inBounds("skipCFWS")
        let token = scanner.token(stoppingAt: stops)
        inBounds("token")
        require(!token.contains { $0 <= 0x20 || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "\"") || stops.contains($0) },
                "token holds a delimiter: \(shown(token))")
        scanner.skipCFWS()
        if scanner.take(UInt8(ascii: "=")) {
            scanner.skipCFWS()
            let quoted = scanner.current == UInt8(ascii: "\"")
            let parameter = scanner.parameterValue()
            inBounds("parameterValue")
            if quoted {
                require(!parameter.contains(0x0D) && !parameter.contains(0x0A), "quoted value keeps a line break")
            } else {
                require(!parameter.contains { $0 <= 0x20 || $0 == UInt8(ascii: ";") }, "unquoted value runs past its end")
            }
        }
        scanner.skipPastSemicolon()
        inBounds("skipPastSemicolon")
        require(scanner.index > before || scanner.isAtEnd, "no progress at \(before)")
    }
}

func checkContentType(_ value: [UInt8]) {
    guard let parsed = MIMEContentType(contentType: value) else { return }
    require(MIMEContentType(contentType: value) == parsed, "parsing is not deterministic")
    checkNames(parsed)
    require(!parsed.type.isEmpty && !parsed.subtype.isEmpty, "empty type or subtype")
    require(!parsed.type.utf8.contains(UInt8(ascii: "/")), "type holds a slash: \(parsed.type)")
    // What was understood, written back in canonical form, must be understood the same way.
    guard let written = serialized(parsed, head: parsed.type + "/" + parsed.subtype) else { return }
    let reparsed = MIMEContentType(contentType: written)
    require(reparsed == withoutEmptyName(parsed), "re-serialized Content-Type parses differently: \(shown(written))")
}

func checkDisposition(_ value: [UInt8]) {
    guard let parsed = MIMEContentType(disposition: value) else { return }
    checkNames(parsed)
    require(parsed.subtype.isEmpty, "a disposition with a subtype")
    guard let written = serialized(parsed, head: parsed.type) else { return }
    require(MIMEContentType(disposition: written) == withoutEmptyName(parsed), "re-serialized disposition parses differently: \(shown(written))")
}

func checkNames(_ parsed: MIMEContentType) {
    for text in [parsed.type, parsed.subtype] + Array(parsed.parameters.keys) {
        require(!text.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }, "name not lower-cased: \(text)")
        require(!text.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"") }, "name holds a delimiter: \(text)")
    }
    // An empty name is possible (`*0=x` has an empty base name) and harmless: nothing reads it.
    for name in parsed.parameters.keys {
        require(!name.contains("*") && !name.contains("="), "bad parameter name: \(name)")
    }
}

/// `head; name="value"...` with quoted-pairs; nil when a value holds a line break, which a
/// quoted string cannot carry (RFC 2231 percent-escapes can produce one).
func serialized(_ parsed: MIMEContentType, head: String) -> [UInt8]? {
    var out = Array(head.utf8)
    for (name, value) in parsed.parameters.sorted(by: { $0.key < $1.key }) where !name.isEmpty {
        if value.contains(0x0D) || value.contains(0x0A) { return nil }
        out += Array("; \(name)=\"".utf8)
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
    return out
}

/// A parameter with an empty name cannot be written back (`; ="x"` is skipped when read).
func withoutEmptyName(_ parsed: MIMEContentType) -> MIMEContentType {
    var copy = parsed
    copy.parameters[""] = nil
    return copy
}

func checkTransferEncoding(_ value: [UInt8]) {
    let once = MIMETransferEncoding.parse([value])
    let twice = MIMETransferEncoding.parse([value, value])
    switch (once, twice) {
    case (.success(let a), .success(let b)):
        require(a == b, "the same field twice reads differently")
        require(MIMETransferEncoding.parse([Array(" \(a.rawValue.uppercased()) ".utf8)]) == .success(a), "name does not round-trip")
    case (.failure, .failure):
        break
    default:
        require(false, "one field and the same field twice disagree")
    }
}

/// The value as a message's Content-Type (and as a part's), through the whole walker.
func checkWalker(_ value: [UInt8]) {
    // Header values reach the walker as the MTA's bytes, 8-bit and invalid UTF-8 included.
    let fields = MIMEHeaderFields(fields: [HeaderField(name: "Content-Type", value: value)])
    _ = MIMEEntityKind.classify(fields, inDigest: false, leaveSigned: true)
    let body = Array("--b\r\nContent-Type: ".utf8) + value + Array("\r\n\r\nsee http://example.com/\r\n--b--\r\n".utf8)
    for headers in [[HeaderField(name: "Content-Type", value: value)],
                    [HeaderField(name: "Content-Type", value: Array("multipart/mixed; boundary=b".utf8))]] {
        let walker = MIMERewriter(headers: headers) { _ in
            TextRewriter(options: LinkRewriteOptions(clickTracking: true, openPixels: nil, trackingDomain: "t.invalid"),
                         urls: IdentityURLMaker())
        }
        body.withUnsafeBytes { walker.feed($0) }
        let result = walker.finish()
        // The identity maker writes every link back as it was: any rewritten body is the input,
        // unless a line passed 998 octets and the part had to switch to quoted-printable, or
        // the value's line breaks added a field (a quoted-printable part is encoded anew).
        let longLine = body.split(separator: 0x0A).contains { $0.count > 998 }
        let addsFields = value.contains(0x0A) || value.contains(0x0D)
        if let rewritten = result.body, !longLine, !addsFields { require(rewritten == body, "identity rewrite changed the body") }
    }
}
