import Tracking

/// The `List-Unsubscribe` fields a rewritten message gets (`tracking.list_unsubscribe`),
/// and the word for the log line.
enum ListUnsubscribeStep {
    struct Result {
        var fields: [(name: String, value: String)] = []
        /// The log line's `list_unsubscribe`: nil when the option is off.
        var logValue: String?
    }

    /// - Parameters:
    ///   - header: the parsed X-MSYS-API header; `options.transactional: true` suppresses the fields.
    ///   - headers: the message's top-level fields, to keep a `List-Unsubscribe` it already has.
    ///   - maker: the message's URL maker: its sealer, settings and recipient make the URL.
    static func run(mode: ListUnsubscribeMode, header: APIHeader?, headers: [HeaderField], maker: SealedURLMaker) -> Result {
        guard mode == .oneClick else { return Result() }
        if header?.transactional == true { return Result(logValue: "transactional") }
        switch ListUnsubscribeFields.decide(headers: headers, trackingDomain: maker.trackingDomain) {
        case .keepExisting:
            return Result(logValue: "existing")
        case .addPostOnly:
            return Result(fields: [post], logValue: "post_added")
        case .addBoth:
            guard let url = maker.listUnsubscribeURL(maxBytes: ListUnsubscribeFields.maxURLBytes),
                  let value = ListUnsubscribeFields.value(url: url)
            else { return Result(logValue: "too_long") }
            return Result(fields: [(ListUnsubscribeFields.name, value), post], logValue: "added")
        }
    }

    private static let post = (name: ListUnsubscribeFields.postName, value: ListUnsubscribeFields.postValue)
}
