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

    static func methodNotAllowed() -> Response {
        Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentType: plainText],
                 body: .init(byteBuffer: methodNotAllowedBuffer))
    }

    static func healthy() -> Response {
        Response(status: .ok, headers: [.contentType: plainText, .cacheControl: "no-store"], body: .init(byteBuffer: healthyBuffer))
    }

    static func metrics(_ text: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
