import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// A small HTTP endpoint for operators: Prometheus text on `GET /metrics`, and `GET /healthz`
/// answering `200 ok` or `503` with the reason. The milter serves one when
/// `milter.metrics_listen` is set; the tracker uses one to keep `/metrics` off its public
/// address (`tracker.metrics_listen`).
public enum MetricsEndpoint {
    /// Why the service is not healthy, or nil when it is.
    public typealias HealthCheck = @Sendable () -> String?

    /// The Hummingbird application; `onListening` gets the bound port (port 0: any free one).
    public static func application(
        registry: PrometheusCollectorRegistry, host: String, port: Int, health: @escaping HealthCheck, logger: Logger,
        beforeExposition: @escaping @Sendable () -> Void = {},
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            beforeExposition()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(8192)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/healthz") { _, _ -> Response in
            let problem = health()
            return Response(
                status: problem == nil ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: (problem ?? "ok") + "\n")))
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: quiet)
    }

    /// Runs `application` in the background until the process ends, without taking any
    /// signal (in the milter, libmilter owns SIGTERM/SIGINT/SIGHUP). Errors go to `logger`.
    public static func runInBackground(_ application: some ApplicationProtocol & Sendable, logger: Logger) {
        Task.detached {
            do {
                let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
                try await group.run()
            } catch {
                logger.error("metrics endpoint stopped", metadata: ["error": "\(error)"])
            }
        }
    }
}
