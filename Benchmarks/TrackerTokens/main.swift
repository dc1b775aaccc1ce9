// Prints COUNT click paths (`/f/a/TOKEN`) and COUNT open paths (`/q/TOKEN`) sealed with the
// active key of KEYFILE, for Benchmarks/run-tracker-wrk. Every token is of its own message
// and recipient, with a realistic target, campaign, metadata and tags.
//
//   tracker-bench-tokens KEYFILE COUNT CLICKS_FILE OPENS_FILE
import Foundation
import Tracking

let arguments = CommandLine.arguments
guard arguments.count == 5, let count = Int(arguments[2]), count > 0 else {
    FileHandle.standardError.write(Data("usage: tracker-bench-tokens KEYFILE COUNT CLICKS_FILE OPENS_FILE\n".utf8))
    exit(64)
}
let keyring: TrackingKeyring
do { keyring = try TrackingKeyring(contentsOfFile: arguments[1]) } catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(66)
}
let expiry = TrackingToken.expiry(now: Date(), lifetime: 31_536_000)
var clicks = ""
var opens = ""
for i in 0..<count {
    let sealer = TokenSealer(keyring: keyring)
    let recipient = "recipient\(i)@example.org"
    let metadata = #"{"customer_tier":"gold","order":\#(i),"segment":"spring-buyers"}"#
    let click = TrackingToken(
        kind: .click, targetURL: "https://shop.example.com/spring/item-\(i)?utm_source=mail&utm_campaign=spring",
        linkName: "Spring sale", messageID: sealer.messageID, recipient: recipient, customerID: "customer-17",
        campaignID: "spring-2026", metadata: metadata, tags: ["promo", "q2"], expiry: expiry)
    let open = TrackingToken(
        kind: .open, messageID: sealer.messageID, recipient: recipient, customerID: "customer-17",
        campaignID: "spring-2026", metadata: metadata, tags: ["promo", "q2"], expiry: expiry)
    do {
        clicks += "/f/a/\(try sealer.seal(click))\n"
        opens += "/q/\(try sealer.seal(open))\n"
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(70)
    }
}
do {
    try clicks.write(toFile: arguments[3], atomically: true, encoding: .utf8)
    try opens.write(toFile: arguments[4], atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(73)
}
