/// What the walker is doing with the bytes that arrive.
enum MIMEWalkState {
    /// Gathering a body part's header block.
    case headers(MIMEHeaderBlock, path: String, inDigest: Bool)
    /// Copying: preamble, epilogue, or a part left as it is.
    case copy
    /// Inside a displayed part.
    case displayed(MIMEDisplayedPartProcessor, path: String, topLevel: Bool)
    /// The message passes unchanged; the rest of the body is ignored.
    case passthrough
}
