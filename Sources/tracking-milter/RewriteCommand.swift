import ArgumentParser
import Foundation
import Logging
import Tracking
import TrackingMilter
#if canImport(Glibc)
import Glibc
#endif

struct RewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Rewrite one message offline, exactly as the milter would: stdin to stdout, the log line on stderr.",
        discussion: "A message rejected for bad X-MSYS-API data prints the SMTP reply on stderr and exits 65.")

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
        let configuration = try loadOrExit(config)
        let keyring: TrackingKeyring
        do { keyring = try KeyringLoader.load(configuration) } catch { fail("\(error)", code: EX_CONFIG) }
        LineLogHandler.bootstrap(configuration.log)
        let service = TrackingService(configuration: configuration, keyring: keyring, logger: Logger(label: "tracking-milter"))

        let message = RawMessage(Array(FileHandle.standardInput.readDataToEndOfFile()))
        var envelope = MessageEnvelope()
        envelope.recipients = rcpt
        envelope.sender = from
        envelope.customerID = auth
        envelope.listener = listener
        envelope.clientAddress = client
        let processor = MessageProcessor(service: service, envelope: envelope, bodySizeHint: message.body.count)
        for field in message.fields { processor.header(name: field.name, value: field.value) }
        // The body in milter-sized pieces, so this walks the same streaming path.
        let body = message.body
        var offset = body.startIndex
        repeat {
            let end = min(offset + 65535, body.endIndex)
            body[offset..<end].withUnsafeBytes { processor.body($0) }
            offset = end
        } while offset < body.endIndex

        let outcome = processor.finish()
        service.logger.info("message", metadata: outcome.logMetadata)
        switch outcome.action {
        case .reject(let error):
            fail("\(error.code) \(error.enhancedCode) \(error.replyText)", code: EX_DATAERR)
        case .deliver(let delivery):
            var out = message.headerBlock(deleting: delivery.deleteAPIHeaders?.name, changes: delivery.headerChanges)
            if let newBody = delivery.body { out += newBody } else { out += message.body }
            FileHandle.standardOutput.write(Data(out))
        }
    }
}
