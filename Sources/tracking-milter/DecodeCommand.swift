import ArgumentParser
import Foundation
import Tracking
import TrackingMilter

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Open a tracked URL (or a bare token) and print what it carries as JSON.")

    @Option(name: .long, help: "The configuration whose key file opens the token.")
    var config: String

    @Argument(help: "A click or open URL, or its token.")
    var url: String

    func run() throws {
        let configuration = try loadOrExit(config)
        let keyring: TrackingKeyring
        do { keyring = try KeyringLoader.load(configuration) } catch { fail("\(error)", code: 1) }
        let token: TrackingToken
        do {
            token = try TrackingToken.open(TokenJSON.tokenText(fromURL: url), with: keyring)
        } catch {
            fail("cannot open the token: \(error)", code: 1)
        }
        print(TokenJSON.render(token))
        if token.isExpired(now: Date()) {
            FileHandle.standardError.write(Data("note: expired since \(TokenJSON.expiryText(token)); a click still redirects but records no event\n".utf8))
        }
    }
}
