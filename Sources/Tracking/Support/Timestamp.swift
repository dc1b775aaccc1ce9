import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-25T15:31:54.005Z`), made on bytes
/// without Foundation's formatters: log lines and event lines write one each. The one home
/// for the format both use; the time is always passed in (`now()` is TrackingRuntime's).
public enum Timestamp {
    public static func format(seconds: Int, milliseconds: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(seconds: seconds, milliseconds: milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func format(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `date`, its fraction cut (not rounded) to milliseconds.
    public static func append(_ date: Date, to out: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, abs(interval) < 1e15 else { return append(seconds: 0, milliseconds: 0, to: &out) }
        let seconds = Int(interval.rounded(.down))
        let milliseconds = min(999, max(0, Int(((interval - Double(seconds)) * 1000).rounded(.down))))
        append(seconds: seconds, milliseconds: milliseconds, to: &out)
    }

    public static func append(seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "."))
        digits(min(999, max(0, milliseconds)), 3)
        out.append(UInt8(ascii: "Z"))
    }
}
