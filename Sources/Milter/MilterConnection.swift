/// What the library knows about one MTA connection; given to the session factory.
public final class MilterConnection {
    /// Macros received so far (connection macros, and those of the current message).
    public internal(set) var macros = Macros()
    /// The modifications the MTA agreed to.
    public internal(set) var negotiatedActions: MilterActions = []
    /// The protocol steps in effect after negotiation, as `SMFIP_*` bits.
    public internal(set) var negotiatedProtocol: UInt = 0

    init() {}
}
