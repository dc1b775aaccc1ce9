#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte search for the rewriters' hot loops: `memchr` is vectorised by the C library, which
/// is what lets the HTML tokenizer skip text, attribute values and comments at memory speed.
enum ByteScan {
    /// The index of the first `byte` in `buffer[from..<to]` (to the end when `to` is nil), or nil.
    @inline(__always)
    static func first(_ byte: UInt8, in buffer: UnsafeRawBufferPointer, from: Int, to: Int? = nil) -> Int? {
        let end = to ?? buffer.count
        guard from < end, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + from, Int32(byte), end - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}

extension UnsafeRawBufferPointer {
    /// `self[range]` as a buffer of its own.
    @inline(__always)
    func rebased(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[range])
    }
}

extension Array where Element == UInt8 {
    /// Appends `buffer[range]`; nothing when the range is empty.
    @inline(__always)
    mutating func appendSlice(of buffer: UnsafeRawBufferPointer, _ range: Range<Int>) {
        if !range.isEmpty { append(contentsOf: buffer.rebased(range)) }
    }
}
