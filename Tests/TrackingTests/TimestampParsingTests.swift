import Foundation
import Testing
import Tracking

@Suite("RFC 3339 timestamps read back")
struct TimestampParsingTests {
    @Test("what Timestamp writes, it reads")
    func roundTrip() {
        for seconds in [0, 1_796_469_607, 951_782_400, 4_102_444_799] {
            let date = Date(timeIntervalSince1970: Double(seconds) + 0.123)
            let text = Timestamp.format(date)
            let back = Timestamp.parse(text)
            #expect(back.map { abs($0.timeIntervalSince(date)) < 0.001_1 } == true, "\(text)")  // written cut to milliseconds
        }
    }

    @Test("offsets, lower-case separators and long fractions")
    func forms() {
        let base = Date(timeIntervalSince1970: 1_796_469_607)
        #expect(Timestamp.parse("2026-12-05T11:20:07Z") == base)
        #expect(Timestamp.parse("2026-12-05t11:20:07z") == base)
        #expect(Timestamp.parse("2026-12-05T12:20:07+01:00") == base)
        #expect(Timestamp.parse("2026-12-05T06:50:07-04:30") == base)
        #expect(Timestamp.parse("2026-12-05T11:20:07.5Z") == base.addingTimeInterval(0.5))
        #expect(Timestamp.parse("2026-12-05T11:20:07.123456789Z").map { abs($0.timeIntervalSince(base) - 0.123456) < 0.000_001 } == true)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test("not RFC 3339", arguments: [
        "", "2026-12-05", "2026-12-05T11:20Z", "2026-13-05T11:20:07Z", "2026-02-29T00:00:00Z", "2026-12-05T24:00:00Z",
        "2026-12-05T11:20:07", "2026-12-05T11:20:07.Z", "2026-12-05T11:20:07+0100", "0000-01-01T00:00:00Z",
        "2026-12-05T11:20:07Zx", "+2026-12-05T11:20:07Z",
    ])
    func refused(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
