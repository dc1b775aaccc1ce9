/// The calls a session's connection makes into libmilter, one method per `smfi_*` function.
///
/// This is the seam for testing (in the manner of swift-system's mockable syscalls):
/// `LibmilterContext` forwards to the C library; `MilterTesting.TestMilterContext` records
/// the calls and enforces libmilter's rules, so session logic runs in unit tests without an MTA.
/// Each method returns `true` for `MI_SUCCESS`.
package protocol MilterContext {
    /// `smfi_getsymval`: the macro's value at the current stage, if the MTA sent it.
    func symbolValue(_ name: String) -> String?
    /// `smfi_setreply` or `smfi_setmlreply`.
    func setReply(_ reply: SMTPReply) -> Bool
    /// `smfi_addheader`.
    func addHeader(name: String, value: String) -> Bool
    /// `smfi_insheader`: insert at `index` (0 is the top).
    func insertHeader(at index: Int, name: String, value: String) -> Bool
    /// `smfi_chgheader`: change the `index`-th (1-based) occurrence; a `nil` value deletes it.
    func changeHeader(name: String, index: Int, value: String?) -> Bool
    /// `smfi_replacebody`: one piece of the new body.
    func replaceBody(_ chunk: UnsafeRawBufferPointer) -> Bool
    /// `smfi_addrcpt` or `smfi_addrcpt_par`.
    func addRecipient(_ address: String, parameters: String?) -> Bool
    /// `smfi_delrcpt`.
    func deleteRecipient(_ address: String) -> Bool
    /// `smfi_chgfrom`.
    func changeSender(_ address: String, parameters: String?) -> Bool
    /// `smfi_quarantine`.
    func quarantine(reason: String) -> Bool
    /// `smfi_progress`.
    func progress() -> Bool
    /// `smfi_setsymlist`: ask for these macros (space separated) at `stage`.
    func setMacroList(_ macros: String, at stage: MacroStage) -> Bool
    /// `smfi_getpriv` / `smfi_setpriv`: the connection's private pointer.
    var privateData: UnsafeMutableRawPointer? { get nonmutating set }
}
