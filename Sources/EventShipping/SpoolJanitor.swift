import EventSpool
import Logging
import Synchronization

/// Deletes the closed segments that every sink has delivered to their end. Each lane reports
/// its finished segments; a segment goes once all lanes list it.
final class SpoolJanitor: Sendable {
    private let finished: Mutex<[String: Set<SpoolSegment>]>

    init(sinks: [String]) {
        finished = Mutex(Dictionary(uniqueKeysWithValues: sinks.map { ($0, []) }))
    }

    /// Records `sink`'s finished segments and deletes those every sink has finished.
    func report(sink: String, finished segments: Set<SpoolSegment>, spool: SpoolDirectory, logger: Logger) {
        let common: Set<SpoolSegment> = finished.withLock { state in
            state[sink] = segments
            return state.values.dropFirst().reduce(state.values.first ?? []) { $0.intersection($1) }
        }
        guard !common.isEmpty else { return }
        finished.withLock { state in
            for sink in state.keys { state[sink]?.subtract(common) }
        }
        for segment in common.sorted() {
            do {
                try spool.delete(segment)
            } catch {
                logger.error("cannot delete a shipped spool segment; it stays and counts against max_bytes",
                             metadata: ["segment": "\(segment)", "error": "\(error)"])
            }
        }
    }
}
