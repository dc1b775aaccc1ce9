// The tracker's reading of an RFC 8058 one-click POST body (`OneClickForm`), the one parser
// of request bodies the tracker has. Invariants, for every body up to the tracker's bound:
// - it answers without trapping, as URL-encoded and as multipart, whatever the bytes;
// - the answer does not depend on anything but the bytes (asked twice, the same);
// - the field added after any body is found: `&List-Unsubscribe=One-Click` for URL-encoded,
//   a well-formed part and the closing delimiter for multipart;
// - a body without the letters of the field name is never taken for one-click.
import FuzzSupport
import Tracking

let multipart = "multipart/form-data; boundary=fuzzb"
let addedField = Array("&List-Unsubscribe=One-Click".utf8)
let addedPart = Array("\r\n--fuzzb\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--fuzzb--\r\n".utf8)

runFuzzer { data in
    let body = Array(data.prefix(OneClickForm.maxBodyBytes - addedPart.count))
    let urlEncoded = OneClickForm.isOneClick(body: body, contentType: "application/x-www-form-urlencoded")
    require(urlEncoded == OneClickForm.isOneClick(body: body, contentType: "application/x-www-form-urlencoded"),
            "the same body read twice gave two answers")
    let asMultipart = OneClickForm.isOneClick(body: body, contentType: multipart)
    // A content type taken from the input: any text, any parameters.
    if let newline = body.firstIndex(of: 0x0A) {
        let type = String(decoding: body[..<newline], as: UTF8.self)
        _ = OneClickForm.isOneClick(body: Array(body[(newline + 1)...]), contentType: type)
    }
    require(OneClickForm.isOneClick(body: body + addedField, contentType: nil), "the field after the body was not found")
    require(OneClickForm.isOneClick(body: body + addedPart, contentType: multipart),
            "a well-formed part after the body was not found")
    let letters = body.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    if !letters.contains(UInt8(ascii: "k")) && !letters.contains(UInt8(ascii: "%")) {
        require(!urlEncoded && !asMultipart, "a body without the value's letters was taken for one-click")
    }
}
