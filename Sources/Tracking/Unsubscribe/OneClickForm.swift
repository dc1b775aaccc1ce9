import Foundation

/// The body of an RFC 8058 one-click POST: the form field `List-Unsubscribe=One-Click`, as
/// `application/x-www-form-urlencoded` (what RFC 8058 §3.2 shows and most providers send)
/// or `multipart/form-data` (RFC 8058 allows either). Only bounded bodies reach it (the
/// tracker refuses longer ones with 413); `fuzz-one-click` holds it to that.
public enum OneClickForm {
    /// Bodies longer than this are refused with `413` before they are parsed: the real one
    /// is 26 bytes, a multipart one a few hundred.
    public static let maxBodyBytes = 8192
    static let fieldName = "list-unsubscribe"
    static let fieldValue = "one-click"

    /// Whether `body` carries `List-Unsubscribe=One-Click` (names and values compared
    /// case-insensitively). A multipart content type with a boundary is read as multipart;
    /// anything else (a missing or `text/plain` type included) as URL-encoded.
    public static func isOneClick(body: [UInt8], contentType: String?) -> Bool {
        if let contentType, let boundary = multipartBoundary(contentType) {
            return multipartHasField(body, boundary: Array("--\(boundary)".utf8))
        }
        return urlEncodedHasField(body)
    }

    static func urlEncodedHasField(_ body: [UInt8]) -> Bool {
        body.split(whereSeparator: { $0 == UInt8(ascii: "&") || $0 == 0x0D || $0 == 0x0A }).contains { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return false }
            return lowercased(percentDecoded(parts[0])) == fieldName
                && lowercased(trimmed(percentDecoded(parts[1]))) == fieldValue
        }
    }

    /// The `boundary` parameter of a `multipart/form-data` content type, quotes removed.
    static func multipartBoundary(_ contentType: String) -> String? {
        let parameters = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parameters.first, type.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    /// Whether one part is `Content-Disposition: form-data; name="List-Unsubscribe"` with
    /// the content `One-Click`.
    static func multipartHasField(_ body: [UInt8], boundary: [UInt8]) -> Bool {
        var parts: [ArraySlice<UInt8>] = []
        var start: Int?
        var i = 0
        while i + boundary.count <= body.count {
            if body[i..<i + boundary.count].elementsEqual(boundary) {
                if let start { parts.append(body[start..<i]) }
                start = i + boundary.count
                i += boundary.count
            } else {
                i += 1
            }
        }
        return parts.contains { part in
            guard let (head, content) = splitPart(part) else { return false }
            let headText = lowercased(head)
            guard headText.contains("form-data"),
                  headText.contains("name=\"\(fieldName)\"") || headText.contains("name=\(fieldName)")
            else { return false }
            return lowercased(trimmed(content)) == fieldValue
        }
    }

    /// A part's header lines and content, split at the first empty line (CRLF or LF).
    private static func splitPart(_ part: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        var i = part.startIndex
        while i < part.endIndex {
            if part[i] == 0x0A {
                var next = i + 1
                if next < part.endIndex, part[next] == 0x0D { next += 1 }
                if next < part.endIndex, part[next] == 0x0A, i > part.startIndex { return (part[part.startIndex..<i], part[(next + 1)...]) }
            }
            i += 1
        }
        return nil
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
                      let high = Hex.value(bytes[i + 1]), let low = Hex.value(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    private static func trimmed<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let head = bytes.drop(while: isSpace)
        var end = head.endIndex
        while end > head.startIndex, isSpace(head[head.index(before: end)]) { end = head.index(before: end) }
        return head[..<end]
    }

    private static func lowercased(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
