/// The one test for "this line starts a header field", shared by the top-level header split
/// and the MIME walker's part headers.
public enum HeaderFieldLine {
    /// `name:` with a name of printable ASCII other than `:`, white space allowed between the
    /// name and the colon. Anything after the colon (line ending included) is not looked at.
    public static func isFieldStart(_ line: some Collection<UInt8>) -> Bool {
        var sawName = false
        var nameEnded = false
        for byte in line {
            switch byte {
            case MIMEBytes.colon: return sawName
            case MIMEBytes.space, MIMEBytes.tab: nameEnded = true
            case 0x21...0x7E where !nameEnded: sawName = true
            default: return false
            }
        }
        return false
    }
}
