import Logging
import Milter

/// A milter that looks at nothing and changes nothing: the cost of the milter protocol
/// alone, for benchmarks (Benchmarks/postfix_throughput.py).
final class PassthroughSession: MilterSession {
    static func configuration(logger: Logger) -> MilterConfiguration {
        MilterConfiguration(name: "passthrough-milter", steps: [], logger: logger)
    }
}
