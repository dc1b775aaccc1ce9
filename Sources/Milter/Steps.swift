/// The steps of the milter conversation a session takes part in.
public struct MilterSteps: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let connect = MilterSteps(rawValue: 1 << 0)
    public static let helo = MilterSteps(rawValue: 1 << 1)
    public static let envelopeFrom = MilterSteps(rawValue: 1 << 2)
    public static let envelopeRecipient = MilterSteps(rawValue: 1 << 3)
    public static let data = MilterSteps(rawValue: 1 << 4)
    public static let header = MilterSteps(rawValue: 1 << 5)
    public static let endOfHeaders = MilterSteps(rawValue: 1 << 6)
    public static let body = MilterSteps(rawValue: 1 << 7)
    public static let unknown = MilterSteps(rawValue: 1 << 8)

    /// Every step.
    public static let all: MilterSteps = [
        .connect, .helo, .envelopeFrom, .envelopeRecipient, .data, .header, .endOfHeaders, .body, .unknown,
    ]
}

/// The modifications a session may make at end of message; negotiated with the MTA.
public struct MilterActions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }

    public static let addHeaders = MilterActions(rawValue: 0x01)  // SMFIF_ADDHDRS
    public static let changeBody = MilterActions(rawValue: 0x02)  // SMFIF_CHGBODY
    public static let addRecipients = MilterActions(rawValue: 0x04)  // SMFIF_ADDRCPT
    public static let deleteRecipients = MilterActions(rawValue: 0x08)  // SMFIF_DELRCPT
    public static let changeHeaders = MilterActions(rawValue: 0x10)  // SMFIF_CHGHDRS
    public static let quarantine = MilterActions(rawValue: 0x20)  // SMFIF_QUARANTINE
    public static let changeSender = MilterActions(rawValue: 0x40)  // SMFIF_CHGFROM
    public static let addRecipientsWithParameters = MilterActions(rawValue: 0x80)  // SMFIF_ADDRCPT_PAR
    /// Ask the MTA for a chosen set of macros per stage (`smfi_setsymlist`).
    public static let setMacroList = MilterActions(rawValue: 0x100)  // SMFIF_SETSYMLIST
}

/// Stages at which the MTA sends macros; used to request macros with `smfi_setsymlist`.
public enum MacroStage: Int32, Sendable, CaseIterable {
    case connect = 0, helo = 1, envelopeFrom = 2, envelopeRecipient = 3, data = 4, endOfMessage = 5, endOfHeaders = 6
}
