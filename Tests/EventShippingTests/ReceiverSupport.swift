import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// One request as the test receiver saw it.
struct ReceivedRequest: Sendable {
    let path: String
    let headers: [String: String]
    let body: [UInt8]

    /// A header by name, any case.
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var jsonArray: [[String: Any]]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]]
    }
}

/// A real HTTP server on 127.0.0.1 (Hummingbird) that records every request and answers with
/// what `answer` says (a status code), for the webhook and OAuth2 token endpoints.
final class TestReceiver: Sendable {
    let received = Mutex<[ReceivedRequest]>([])
    let answer: @Sendable (ReceivedRequest, Int) -> (status: Int, body: String)

    init(answer: @escaping @Sendable (ReceivedRequest, Int) -> (status: Int, body: String) = { _, _ in (200, "") }) {
        self.answer = answer
    }

    var requests: [ReceivedRequest] { received.withLock { $0 } }

    /// Runs the server and `body` with its base URL (`http://127.0.0.1:PORT`).
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let seen = ReceivedRequest(path: request.uri.path, headers: headers, body: Array(buffer: bytes))
            let index = self.received.withLock { list in
                list.append(seen)
                return list.count - 1
            }
            let (status, text) = self.answer(seen, index)
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        var logger = Logger(label: "test-receiver")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let value = try await body("http://127.0.0.1:\(port)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
