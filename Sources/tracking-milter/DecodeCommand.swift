import ArgumentParser
import Foundation
import Tracking
import TrackingRuntime

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Open tracked URLs (or bare tokens) and print what they carry as JSON.",
        discussion: """
            One URL: its JSON, or why it does not open (exit 1). Several URLs, or - to read one \
            per line from stdin: one JSON line each, {"error": "..."} for those that do not open.
            """)

    @Option(name: .long, help: "The configuration whose key file opens the tokens.")
    var config: String

    @Argument(help: "Click or open URLs, or their tokens; - reads them from stdin.")
    var urls: [String]

    func run() throws {
        let configuration = orExit { () throws(StartupError) in try ServiceStartup.configuration(config, policyScript: false) }
        // Exit 1, not 78: for decode a missing key file is a failed lookup, not a broken service.
        let keyring: TrackingKeyring
        do { keyring = try ServiceStartup.keyring(configuration) } catch { fail(error.description, code: 1) }
        let now = Date()
        if urls.count == 1 && urls[0] != "-" {
            let token: TrackingToken
            do {
                token = try TrackingToken.open(TrackingURL.token(in: urls[0]), with: keyring)
            } catch {
                fail("cannot open the token: \(error)", code: 1)
            }
            print(TokenJSON.render(token, now: now))
            if token.isExpired(now: now) {
                FileHandle.standardError.write(Data(
                    "note: expired since \(TokenJSON.expiryText(token)); a click still redirects but records no event\n".utf8))
            }
            return
        }
        let inputs = urls == ["-"] ? readLines() : urls
        for url in inputs {
            do {
                print(TokenJSON.render(try TrackingToken.open(TrackingURL.token(in: url), with: keyring), now: now))
            } catch {
                print(JSONValue.object(["error": .string("\(error)"), "url": .string(url)]).jsonText)
            }
        }
    }

    private func readLines() -> [String] {
        var lines: [String] = []
        while let line = readLine() {
            if !line.isEmpty { lines.append(line) }
        }
        return lines
    }
}
