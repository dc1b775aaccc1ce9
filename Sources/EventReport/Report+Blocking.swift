import Dispatch
import Logging
import Synchronization
import TrackingRuntime

extension Report {
    /// `make`, for a synchronous command: waits for it on the calling thread.
    public static func makeWaiting(_ configuration: Configuration, filter: ReportFilter, logger: Logger) throws(ReportError) -> Report {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Report, ReportError>?>(nil)
        Task.detached {
            let result: Result<Report, ReportError>
            do throws(ReportError) {
                result = .success(try await make(configuration, filter: filter, logger: logger))
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw .nothingToRead(configFile: configuration.file) }
        return try result.get()
    }
}
