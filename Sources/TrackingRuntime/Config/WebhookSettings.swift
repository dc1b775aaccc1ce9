/// One entry of `events.webhooks`: a SparkPost-compatible webhook endpoint.
public struct WebhookSettings: Sendable, Equatable {
    /// Names the endpoint in checkpoints, metrics and log lines; unique among webhooks.
    public var name: String
    /// `https://` (or `http://` on loopback) URL the batches are POSTed to.
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}
