extension TrackingKeyring {
    /// The keyring of a key file's text; `file` names it in errors.
    public init(parsing text: String, file: String) throws(TrackingKeyFileError) {
        self = try TrackingKeyFile(parsing: text, file: file).keyring
    }
}
