/// The modifications a session may make to the message, valid only during `endOfMessage`.
///
/// libmilter accepts modifications only at end of message and only for actions the MTA
/// agreed to, and MTAs reject a header change sent between body pieces. Misuse is a
/// thrown `MilterError` here rather than a silent `MI_FAILURE`.
public final class MessageModifier {
    private let context: any MilterContext
    private let actions: MilterActions
    private var valid = true
    private var bodyStarted = false

    init(context: any MilterContext, actions: MilterActions) {
        self.context = context
        self.actions = actions
    }

    /// Called by the dispatcher when end of message is over; later calls throw.
    func invalidate() { valid = false }

    /// Whether any piece of a new body was sent.
    public var replacedBody: Bool { bodyStarted }

    /// Sends one piece of the new body (CRLF line endings); call repeatedly to stream it.
    public func replaceBody(_ chunk: UnsafeRawBufferPointer) throws(MilterError) {
        try check("replaceBody", .changeBody)
        bodyStarted = true
        guard context.replaceBody(chunk) else { throw .libmilterFailed(call: "smfi_replacebody") }
    }

    /// Sends one piece of the new body.
    public func replaceBody(_ chunk: [UInt8]) throws(MilterError) {
        let result: Result<Void, MilterError> = chunk.withUnsafeBytes { raw in
            Result { () throws(MilterError) in try replaceBody(raw) }
        }
        try result.get()
    }

    /// Appends a header. A folded value uses LF + white space between lines.
    public func addHeader(_ name: String, _ value: String) throws(MilterError) {
        try checkHeader("addHeader", .addHeaders, name)
        guard context.addHeader(name: name, value: value) else { throw .libmilterFailed(call: "smfi_addheader") }
    }

    /// Inserts a header at `index` (0 is the top).
    public func insertHeader(_ name: String, _ value: String, at index: Int = 0) throws(MilterError) {
        try checkHeader("insertHeader", .addHeaders, name)
        guard context.insertHeader(at: index, name: name, value: value) else {
            throw .libmilterFailed(call: "smfi_insheader")
        }
    }

    /// Replaces the `occurrence`-th (1-based) header called `name`.
    public func changeHeader(_ name: String, occurrence: Int = 1, to value: String) throws(MilterError) {
        try checkHeader("changeHeader", .changeHeaders, name)
        guard occurrence >= 1 else { throw .invalidArgument("header occurrence counts from 1") }
        guard context.changeHeader(name: name, index: occurrence, value: value) else {
            throw .libmilterFailed(call: "smfi_chgheader")
        }
    }

    /// Deletes the `occurrence`-th (1-based) header called `name`.
    public func deleteHeader(_ name: String, occurrence: Int = 1) throws(MilterError) {
        try checkHeader("deleteHeader", .changeHeaders, name)
        guard occurrence >= 1 else { throw .invalidArgument("header occurrence counts from 1") }
        guard context.changeHeader(name: name, index: occurrence, value: nil) else {
            throw .libmilterFailed(call: "smfi_chgheader")
        }
    }

    /// Adds an envelope recipient, with optional ESMTP parameters.
    public func addRecipient(_ address: String, parameters: String? = nil) throws(MilterError) {
        try check("addRecipient", parameters == nil ? .addRecipients : .addRecipientsWithParameters)
        guard context.addRecipient(address, parameters: parameters) else { throw .libmilterFailed(call: "smfi_addrcpt") }
    }

    /// Removes an envelope recipient (as given at RCPT).
    public func deleteRecipient(_ address: String) throws(MilterError) {
        try check("deleteRecipient", .deleteRecipients)
        guard context.deleteRecipient(address) else { throw .libmilterFailed(call: "smfi_delrcpt") }
    }

    /// Replaces the envelope sender.
    public func changeSender(_ address: String, parameters: String? = nil) throws(MilterError) {
        try check("changeSender", .changeSender)
        guard context.changeSender(address, parameters: parameters) else { throw .libmilterFailed(call: "smfi_chgfrom") }
    }

    /// Puts the message in the MTA's hold queue.
    public func quarantine(reason: String) throws(MilterError) {
        try check("quarantine", .quarantine)
        guard !reason.isEmpty else { throw .invalidArgument("a quarantine reason must not be empty") }
        guard context.quarantine(reason: reason) else { throw .libmilterFailed(call: "smfi_quarantine") }
    }

    /// Tells the MTA that work is going on, resetting its timeout.
    public func progress() throws(MilterError) {
        guard valid else { throw .notAtEndOfMessage(action: "progress") }
        guard context.progress() else { throw .libmilterFailed(call: "smfi_progress") }
    }

    private func check(_ action: String, _ needed: MilterActions) throws(MilterError) {
        guard valid else { throw .notAtEndOfMessage(action: action) }
        guard actions.contains(needed) else { throw .actionNotNegotiated(action: action) }
    }

    private func checkHeader(_ action: String, _ needed: MilterActions, _ name: String) throws(MilterError) {
        try check(action, needed)
        guard !bodyStarted else { throw .headerChangeAfterBody(action: action) }
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            throw .invalidArgument("header name \"\(name)\" must be printable ASCII without spaces or ':'")
        }
    }
}
