import Foundation

extension Timestamp {
    /// Reads an RFC 3339 date-time: `2026-12-05T11:20:07.123Z`, `2026-12-05t11:20:07+01:00`,
    /// any number of fraction digits (kept to microseconds). Nil for anything else, including
    /// years outside 0001–9999 and out-of-range fields. Pure arithmetic on bytes: the shipper
    /// reads one per event, from spool files, which are input.
    public static func parse(_ text: some StringProtocol) -> Date? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parse(UnsafeBufferPointer($0)) }
    }

    /// `parse` on UTF-8 bytes.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(4), year >= 1, reader.skip("-"),
              let month = reader.number(2), (1...12).contains(month), reader.skip("-"),
              let day = reader.number(2), day >= 1, day <= daysIn(month: month, year: year),
              reader.skip("T") || reader.skip("t") || reader.skip(" "),
              let hour = reader.number(2), hour <= 23, reader.skip(":"),
              let minute = reader.number(2), minute <= 59, reader.skip(":"),
              let second = reader.number(2), second <= 60  // a leap second reads as :59 + 1 s
        else { return nil }
        var micros = 0
        if reader.skip(".") {
            var digits = 0
            while let digit = reader.digit() {
                if digits < 6 { micros = micros * 10 + digit }
                digits += 1
                guard digits <= 64 else { return nil }
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { micros *= 10 }
        }
        var offsetSeconds = 0
        if reader.skip("Z") || reader.skip("z") {
        } else if let sign = reader.sign() {
            guard let hours = reader.number(2), hours <= 23, reader.skip(":"),
                  let minutes = reader.number(2), minutes <= 59 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Reads fixed-width decimal fields and separators off a byte buffer, never past its end.
private struct DigitReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func digit() -> Int? {
        guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func number(_ width: Int) -> Int? {
        var value = 0
        for _ in 0..<width {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
