// footer-milter: the Milter library in one screen. Appends a line to every message's body
// and deletes a header.  Usage: footer-milter --socket SPEC [--footer TEXT] [--remove-header NAME]
import Logging
import Milter
#if canImport(Glibc)
import Glibc
#endif

MilterSignals.blockTerminationSignals()  // before anything can start a thread

var options = ["--socket": "unix:/tmp/footer-milter.sock", "--footer": "Scanned by footer-milter",
               "--remove-header": "X-Internal-Note"]
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard options[flag] != nil, let value = arguments.popFirst() else {
        print("usage: footer-milter --socket SPEC [--footer TEXT] [--remove-header NAME]")
        exit(2)
    }
    options[flag] = value
}

let logger = Logger(label: "footer-milter")
let footer = options["--footer"]!, removed = options["--remove-header"]!
let dispatcher = MilterDispatcher(configuration: FooterSession.configuration(logger: logger)) { _ in
    FooterSession(footer: footer, headerToRemove: removed)
}
do {
    let socket = try SocketSpec(parsing: options["--socket"]!)
    try MilterServer(socket: socket, dispatcher: dispatcher, socketMode: 0o666).run {
        logger.info("listening", metadata: ["socket": "\(socket)"])
    }
    logger.info("stopped")
} catch {
    logger.critical("\(error)")
    exit(1)
}
