import ArgumentParser
import Foundation
import TrackingRuntime
#if canImport(Glibc)
import Glibc
#endif

struct RewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Rewrite one message offline, exactly as the milter would: stdin to stdout, the log line on stderr.",
        discussion: """
            A message rejected for bad X-MSYS-API data prints the SMTP reply on stderr and exits 65; a failed \
            policy script with on_error: tempfail prints the 451 reply and exits 75.
            """)

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "An envelope recipient (repeat for a shared body).")
    var rcpt: [String]

    @Option(name: .long, help: "The envelope sender.")
    var from: String?

    @Option(name: .long, help: "The SMTP AUTH name (the customer id).")
    var auth: String?

    @Option(name: .long, help: "The listener ({daemon_name}).")
    var listener: String?

    @Option(name: .long, help: "The client's IP address.")
    var client: String?

    func run() throws {
        let (configuration, keyring) = orExit { () throws(StartupError) in try ServiceStartup.load(config) }
        orExit { () throws(StartupError) in try ServiceStartup.checkSpillDirectory(configuration) }
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: ServiceStartup.logger(configuration))
        var envelope = MessageEnvelope()
        envelope.recipients = rcpt
        envelope.sender = from
        envelope.customerID = auth
        envelope.listener = listener
        envelope.clientAddress = client
        let message = RawMessage(Array(FileHandle.standardInput.readDataToEndOfFile()))
        let (result, outcome) = OfflineRewrite.run(message, envelope: envelope, service: service)
        service.logger.info("message", metadata: outcome.logMetadata)
        switch result {
        case .rejected(let error):
            fail("\(error.code) \(error.enhancedCode) \(error.replyText)", code: EX_DATAERR)
        case .delivered(let message):
            do { try message.write(to: STDOUT_FILENO) } catch { fail("cannot write the message: \(error)", code: EX_IOERR) }
        case .tempfailed:
            fail("451 4.3.0 Temporary milter failure, try again later", code: EX_TEMPFAIL)
        }
    }
}
