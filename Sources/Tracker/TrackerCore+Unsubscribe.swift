import Hummingbird
import Tracking

/// The RFC 8058 one-click unsubscribe on `/u/{token}`: the URL of the `List-Unsubscribe`
/// field the milter adds (`tracking.list_unsubscribe: one-click`).
extension TrackerCore {
    /// `GET`/`HEAD /u/{token}`: a short page with a button that POSTs back. Nothing is
    /// recorded: mail scanners and link previews fetch every URL in a message, and a person
    /// who follows the link confirms with the button. `404` for anything but a list-unsubscribe token.
    public func unsubscribePage(_ text: Substring) -> (TrackerOutcome, Response) {
        guard unsubscribeToken(text) != nil else { return (.invalid, Responses.notFound()) }
        return (.ok, Responses.unsubscribePage())
    }

    /// `POST /u/{token}` with `List-Unsubscribe=One-Click`: `200` and one `list_unsubscribe`
    /// event. Counted against `click_rate_limit` like a click (`429` past it). An expired
    /// token is still recorded: the expiry bounds how long engagement is tracked, but an
    /// unsubscribe is a request the sender must honour whenever it comes.
    /// - Parameter body: the request body, or nil when it was longer than `OneClickForm.maxBodyBytes`.
    public func unsubscribe(_ text: Substring, body: [UInt8]?, headers: HTTPFields, peer: () -> String?) -> (TrackerOutcome, Response) {
        let (allowed, client) = admit(headers: headers, peer: peer, what: "unsubscribe")
        guard allowed else { return (.rateLimited, Responses.tooManyRequests()) }
        guard let token = unsubscribeToken(text) else { return (.invalid, Responses.notFound()) }
        guard let body else { return (.badRequest, Responses.bodyTooLarge()) }
        guard OneClickForm.isOneClick(body: body, contentType: headers[.contentType]) else {
            logger.debug("unsubscribe refused", metadata: ["reason": "the body is not List-Unsubscribe=One-Click"])
            return (.badRequest, Responses.notOneClick())
        }
        record(token, time: now(), headers: headers, client: client ?? clientAddress(headers: headers, peer: peer))
        return (.recorded, Responses.unsubscribed())
    }

    /// The token when it opens and is a list-unsubscribe token.
    private func unsubscribeToken(_ text: Substring) -> TrackingToken? {
        let token: TrackingToken
        do {
            token = try TrackingToken.open(text, with: keyring)
        } catch {
            logger.debug("unsubscribe token refused", metadata: ["reason": "\(error)"])
            return nil
        }
        guard token.kind == .listUnsubscribe else {
            logger.debug("unsubscribe token refused", metadata: ["reason": "not a list-unsubscribe token on /u/"])
            return nil
        }
        return token
    }
}
