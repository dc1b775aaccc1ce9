#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops the process when an invariant does not hold, with a message libFuzzer shows
/// before it saves the input (a trap would work too, but would say less).
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    // write(2) rather than fputs: Swift 6 will not touch the C `stderr` global.
    let text = Array("INVARIANT FAILED (\(file):\(line)): \(message())\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

/// Short printable form of bytes for invariant messages.
public func shown(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
    var out = ""
    for byte in bytes.prefix(limit) {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
            out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            out += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        }
    }
    return bytes.count > limit ? out + "...(\(bytes.count) bytes)" : out
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
