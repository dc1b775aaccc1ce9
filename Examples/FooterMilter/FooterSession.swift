import Milter
import Logging

/// The example's whole filter: append a footer line to every message and delete one header.
final class FooterSession: MilterSession {
    let footer: [UInt8]
    let headerToRemove: String
    private var body: [UInt8] = []
    private var occurrences = 0

    init(footer: String, headerToRemove: String) {
        self.footer = Array((footer + "\r\n").utf8)
        self.headerToRemove = headerToRemove
    }

    static func configuration(logger: Logger) -> MilterConfiguration {
        MilterConfiguration(
            name: "footer-milter", steps: [.header, .body], actions: [.changeBody, .changeHeaders], logger: logger)
    }

    func header(name: String, value: [UInt8]) throws -> Reply {
        if name.caseInsensitiveCompare(headerToRemove) { occurrences += 1 }
        return .continue
    }

    func body(_ chunk: UnsafeRawBufferPointer) throws -> Reply {
        body.append(contentsOf: chunk)
        return .continue
    }

    func endOfMessage(_ message: MessageModifier) throws -> Reply {
        // Delete from the last occurrence back, so the indexes of the rest stay valid.
        for occurrence in stride(from: occurrences, through: 1, by: -1) {
            try message.deleteHeader(headerToRemove, occurrence: occurrence)
        }
        try message.replaceBody(body + footer)
        return .continue
    }

    func resetMessage() {
        body.removeAll(keepingCapacity: true)
        occurrences = 0
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
