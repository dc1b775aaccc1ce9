import Hummingbird

/// A header name that Hummingbird does not re-export a constant for.
typealias HeaderName = HTTPFields.Element.Name

/// The tracker's answers. Bodies are made once; each response only copies references.
enum Responses {
    /// The 43-byte 1x1 transparent GIF89a (one-entry palette, transparency extension).
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
    static let robotsTag = HeaderName("X-Robots-Tag")!

    private static let gifBuffer = ByteBuffer(bytes: gif)
    static let notFoundText = "This link is not valid. It may have been cut or altered in transit.\n"
    private static let notFoundBuffer = ByteBuffer(string: notFoundText)
    static let tooManyClicksText = "Too many clicks from your address. Please try again in a minute.\n"
    private static let tooManyClicksBuffer = ByteBuffer(string: tooManyClicksText)
    private static let healthyBuffer = ByteBuffer(string: "ok\n")
    private static let methodNotAllowedBuffer = ByteBuffer(string: "Method not allowed\n")
    private static let plainText = "text/plain; charset=utf-8"
    private static let tooManyRequestsBuffer = ByteBuffer(string: "Too many requests from your address. Please try again in a minute.\n")
    private static let bodyTooLargeBuffer = ByteBuffer(string: "The request body is too large for a one-click unsubscribe.\n")
    static let notOneClickText = "A one-click unsubscribe needs the form field List-Unsubscribe=One-Click (RFC 8058).\n"
    private static let notOneClickBuffer = ByteBuffer(string: notOneClickText)
    private static let contentSecurityPolicy = HeaderName("Content-Security-Policy")!
    private static let referrerPolicy = HeaderName("Referrer-Policy")!
    private static let htmlHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", robotsTag: "noindex",
        contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        referrerPolicy: "no-referrer",
    ]
    private static let pageHead = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <meta name="robots" content="noindex"><title>Unsubscribe</title>
        <style>body{font-family:sans-serif;max-width:32em;margin:4em auto;padding:0 1em}button{font-size:1.1em;padding:.5em 1.5em}</style>
        </head><body>

        """
    static let unsubscribePageText = pageHead + """
        <h1>Unsubscribe</h1>
        <p>Press the button to stop receiving these messages.</p>
        <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
        <button type="submit">Unsubscribe</button></form>
        </body></html>

        """
    static let unsubscribedText = pageHead + """
        <h1>Unsubscribed</h1>
        <p>Your request was received: the sender has been told to stop sending you these messages.</p>
        </body></html>

        """
    private static let unsubscribePageBuffer = ByteBuffer(string: unsubscribePageText)
    private static let unsubscribedBuffer = ByteBuffer(string: unsubscribedText)

    static func redirect(to location: String) -> Response {
        Response(status: .found, headers: [
            .location: location, .cacheControl: "no-store", robotsTag: "noindex", .contentLength: "0",
        ])
    }

    static func pixel() -> Response {
        Response(status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"], body: .init(byteBuffer: gifBuffer))
    }

    static func notFound() -> Response {
        Response(status: .notFound, headers: [.contentType: plainText, .cacheControl: "no-store", robotsTag: "noindex"],
                 body: .init(byteBuffer: notFoundBuffer))
    }

    /// Momentum answers excessive clicks with 403.
    static func tooManyClicks() -> Response {
        Response(status: .forbidden, headers: [.contentType: plainText, .cacheControl: "no-store", robotsTag: "noindex"],
                 body: .init(byteBuffer: tooManyClicksBuffer))
    }

    static let allowReading = "GET, HEAD"
    static let allowReadingAndPost = "GET, HEAD, POST"

    static func methodNotAllowed(allow: String = allowReading) -> Response {
        Response(status: .methodNotAllowed, headers: [.allow: allow, .contentType: plainText],
                 body: .init(byteBuffer: methodNotAllowedBuffer))
    }

    static func healthy() -> Response {
        Response(status: .ok, headers: [.contentType: plainText, .cacheControl: "no-store"], body: .init(byteBuffer: healthyBuffer))
    }

    /// `429` with `Retry-After`: a mailbox provider's one-click POST may retry.
    static func tooManyRequests() -> Response {
        Response(status: .tooManyRequests, headers: [
            .contentType: plainText, .cacheControl: "no-store", robotsTag: "noindex", .retryAfter: "60",
        ], body: .init(byteBuffer: tooManyRequestsBuffer))
    }

    static func bodyTooLarge() -> Response {
        Response(status: .contentTooLarge, headers: [.contentType: plainText, .cacheControl: "no-store"],
                 body: .init(byteBuffer: bodyTooLargeBuffer))
    }

    static func notOneClick() -> Response {
        Response(status: .badRequest, headers: [.contentType: plainText, .cacheControl: "no-store"],
                 body: .init(byteBuffer: notOneClickBuffer))
    }

    /// The confirmation page of `GET /u/{token}`: one button that POSTs the RFC 8058 form to
    /// the same URL. No script, no outside resources (the CSP says so too).
    static func unsubscribePage() -> Response {
        Response(status: .ok, headers: htmlHeaders, body: .init(byteBuffer: unsubscribePageBuffer))
    }

    /// The answer to a recorded one-click POST (a person who pressed the button sees it).
    static func unsubscribed() -> Response {
        Response(status: .ok, headers: htmlHeaders, body: .init(byteBuffer: unsubscribedBuffer))
    }

    static func metrics(_ text: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
