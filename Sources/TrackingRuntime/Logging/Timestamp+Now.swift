import Posix
import Tracking

extension Timestamp {
    /// Now, from the real-time clock.
    public static func now() -> String {
        let micros = Posix.realtimeMicroseconds()
        return format(seconds: Int(micros / 1_000_000), milliseconds: Int(micros % 1_000_000 / 1000))
    }
}
