import Tracking

extension MIMERewriter {
    /// Header fields written as text, for targets that build messages from strings.
    public convenience init(
        headers: [(name: String, value: String)], limits: RewriteLimits = RewriteLimits(),
        makeRewriter: @escaping (DisplayedPart) -> (any PartRewriter)?
    ) {
        self.init(headers: headers.map { HeaderField(name: $0.name, value: Array($0.value.utf8)) }, limits: limits,
                  makeRewriter: makeRewriter)
    }
}
