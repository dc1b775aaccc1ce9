/// A parsed key file: one `ID SECRET` line per key (SECRET: 32 bytes in URL-safe base64,
/// standard base64 and padding accepted too), one `active ID` line, `#` comments, blank lines.
struct TrackingKeyFile {
    /// The text's lines without their line breaks, kept so that rotation can rewrite the file.
    var lines: [Substring]
    /// The file's line break, `\r\n` if it has any, so that rotation writes the same kind.
    var lineBreak: String
    var keys: [TrackingKey]
    var activeID: UInt8
    /// 0-based index of the `active` line in `lines`.
    var activeLineIndex: Int

    init(parsing text: String, file: String) throws(TrackingKeyFileError) {
        // In a String "\r\n" is one Character, distinct from "\n".
        lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        lineBreak = text.contains("\r\n") ? "\r\n" : "\n"
        keys = []
        var keyLines: [UInt8: Int] = [:]
        var active: (id: UInt8, lineNumber: Int, index: Int)?

        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            func fail(_ kind: TrackingKeyFileError.Kind) -> TrackingKeyFileError {
                TrackingKeyFileError(file: file, line: lineNumber, kind: kind)
            }
            let content = rawLine.prefix { $0 != "#" }
            let fields = content.split { $0 == " " || $0 == "\t" }
            guard !fields.isEmpty else { continue }
            guard fields.count == 2 else { throw fail(.unrecognizedLine) }
            let isActiveLine = fields[0] == "active"
            guard let id = Self.keyID(isActiveLine ? fields[1] : fields[0]) else { throw fail(.invalidKeyID) }

            if isActiveLine {
                if let active { throw fail(.duplicateActive(firstLine: active.lineNumber)) }
                active = (id, lineNumber, index)
                continue
            }
            if let first = keyLines[id] { throw fail(.duplicateKeyID(id, firstLine: first)) }
            guard let secret = Self.secret(fields[1]) else { throw fail(.invalidSecret(keyID: id)) }
            guard let key = TrackingKey(id: id, secret: secret) else {
                throw fail(.wrongSecretLength(keyID: id, bytes: secret.count))
            }
            keyLines[id] = lineNumber
            keys.append(key)
        }

        guard !keys.isEmpty else { throw TrackingKeyFileError(file: file, line: nil, kind: .noKeys) }
        guard let active else { throw TrackingKeyFileError(file: file, line: nil, kind: .noActiveLine) }
        guard keyLines[active.id] != nil else {
            throw TrackingKeyFileError(file: file, line: active.lineNumber, kind: .activeKeyNotListed(active.id))
        }
        activeID = active.id
        activeLineIndex = active.index
    }

    var keyring: TrackingKeyring {
        // Parsing has checked everything the keyring requires.
        TrackingKeyring(keys: keys, activeID: activeID)!
    }

    /// Decimal digits only: `UInt8.init` would also take a sign.
    private static func keyID(_ field: Substring) -> UInt8? {
        guard field.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt8(field)
    }

    /// Also takes the standard alphabet and padding, so `openssl rand -base64 32` works.
    private static func secret(_ field: Substring) -> [UInt8]? {
        var text = String(field).replacing("+", with: "-").replacing("/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return Base64URL.decode(text)
    }
}
