// passthrough-milter: accepts every message unchanged. Usage: passthrough-milter --socket SPEC
import Logging
import Milter
#if canImport(Glibc)
import Glibc
#endif

MilterSignals.blockTerminationSignals()

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2, arguments[0] == "--socket" else {
    print("usage: passthrough-milter --socket SPEC")
    exit(2)
}
let logger = Logger(label: "passthrough-milter")
let dispatcher = MilterDispatcher(configuration: PassthroughSession.configuration(logger: logger)) { _ in
    PassthroughSession()
}
do {
    let socket = try SocketSpec(parsing: arguments[1])
    try MilterServer(socket: socket, dispatcher: dispatcher, socketMode: 0o666).run {
        logger.info("listening", metadata: ["socket": "\(socket)"])
    }
} catch {
    logger.critical("\(error)")
    exit(1)
}
