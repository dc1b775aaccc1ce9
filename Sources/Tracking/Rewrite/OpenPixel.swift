/// The markup of an open pixel: a 1x1 image with SparkPost's belt-and-braces inline style,
/// so that no client's CSS gives it size, border or spacing.
enum OpenPixel {
    static func markup(url: String) -> [UInt8] {
        var out = Array("<img src=\"".utf8)
        HTMLCharacterReferences.escapeAttribute(url, quote: HTMLByte.doubleQuote, into: &out)
        out += Array(("\" width=\"1\" height=\"1\" border=\"0\" alt=\"\" style=\"height:1px !important;"
            + "width:1px !important;border-width:0 !important;margin:0 !important;padding:0 !important;"
            + "display:block !important\" />").utf8)
        return out
    }
}
