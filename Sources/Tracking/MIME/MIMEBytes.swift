#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte constants and the raw-memory helpers the MIME code's hot loops use.
enum MIMEBytes {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let dash: UInt8 = 0x2D
    static let equals: UInt8 = 0x3D
    static let colon: UInt8 = 0x3A

    /// The index of the first `byte` at or after `start`, or nil. memchr scans a machine word
    /// (or vector) at a time, which is what keeps attachment copying near memory speed.
    @inline(__always)
    static func index(of byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// The value of an ASCII hex digit (either case), or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? { Hex.value(byte) }

    /// `bytes` without leading and trailing spaces, tabs and line breaks, as text.
    static func trimmedText(_ bytes: some Collection<UInt8>) -> String {
        let isSpace = { (byte: UInt8) in byte == space || byte == tab || byte == cr || byte == lf }
        let array = Array(bytes)
        guard let first = array.firstIndex(where: { !isSpace($0) }), let last = array.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: array[first...last], as: UTF8.self)
    }

    static var upperHexDigits: [UInt8] { Hex.upperDigits }

    /// ASCII lower-casing of a byte string, for names and tokens (non-ASCII bytes kept).
    static func lowercased(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends raw bytes with one memcpy.
    @inline(__always)
    mutating func appendMIMEBytes(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
