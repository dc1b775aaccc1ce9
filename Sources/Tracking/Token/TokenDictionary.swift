// A hand-written static-dictionary coder, on purpose: the strings of a token are short
// (a URL, a campaign id, a small JSON object), so a general compressor has nothing to find
// in them — deflate without a preset dictionary saves 14 % on a typical link and costs a
// 256 KB state per call — while most of a marketing link is vocabulary every sender shares:
// "https://www.", ".com/", "?utm_source=", "&utm_medium=email". One byte per such piece,
// found by a greedy longest match, saves about half of such a link at a few nanoseconds a
// byte, with no state and no allocation beyond the output.

/// The string coding of a version 2 token body (`TokenBody`):
///
/// | byte | meaning |
/// |---|---|
/// | `0x00`–`0x7F` | that ASCII byte |
/// | `0x80`–`0xFE` | entry `byte − 0x80` of `entries` |
/// | `0xFF`, n, n bytes | n (1–255) bytes as they are: UTF-8 beyond ASCII |
///
/// The entries are part of the token format: never change or reorder them (tokens already
/// sent must keep opening); a different table needs a new format version.
enum TokenDictionary {
    static let runMarker: UInt8 = 0xFF
    static let firstEntryByte: UInt8 = 0x80

    /// Chosen from general web and email-marketing vocabulary (schemes, hosts, Google
    /// Analytics' UTM parameters, common path words, JSON punctuation for metadata), never
    /// from the benchmark's or the corpus's links, so that the measured saving is honest.
    static let entries: [[UInt8]] = [
        "https://www.", "http://www.", "https://", "http://", "www.", "mailto:",
        ".com/", ".com", ".org/", ".org", ".net/", ".net", ".co.uk/", ".io/", ".de/", ".fr/",
        ".html", ".htm", ".php", ".aspx", ".jpg", ".png", ".gif", ".pdf",
        "?utm_source=", "&utm_source=", "utm_source=", "&utm_medium=", "utm_medium=",
        "&utm_campaign=", "utm_campaign=", "&utm_content=", "utm_content=", "&utm_term=", "utm_term=",
        "newsletter", "email", "mail", "campaign", "unsubscribe", "subscribe", "preferences",
        "account", "click", "track", "view", "online", "browser", "index", "product", "shop",
        "store", "sale", "offer", "blog", "news", "article", "event", "learn", "more", "read",
        "home", "contact", "privacy", "policy", "support", "help", "login", "download",
        "register", "update", "welcome", "promo", "discount", "order", "cart", "page",
        "weekly", "daily", "monthly", "digest", "content", "source", "medium", "social",
        "facebook.com/", "twitter.com/", "linkedin.com/", "instagram.com/", "youtube.com/",
        "google.com/", "/images/", "/img/", "/static/", "/assets/", "/en/", "/en-us/",
        "?id=", "&id=", "?ref=", "&ref=", "?p=", "?q=", "&amp;", "%20", "%2F", "%3A", "%3D",
        "https%3A%2F%2F", "@gmail.com", "@yahoo.com", "@outlook.com", "@hotmail.com",
        "{\"", "\":\"", "\",\"", "\"}", "\":", ",\"", "true", "false", "null",
        "2025", "2026", "2027", "tion", "ing",
    ].map { Array($0.utf8) }

    /// The entries laid out for the encoder's inner loop. Every entry has 2 to 16 bytes, so
    /// it is two little-endian words and two masks: a candidate is checked with two loads
    /// and two compares instead of a byte loop.
    private struct Table: Sendable {
        /// Per entry: bytes 0–7 and 8–15 (zero past its end), and masks of its bytes.
        var low: [UInt64] = []
        var high: [UInt64] = []
        var lowMask: [UInt64] = []
        var highMask: [UInt64] = []
        var lengths: [Int] = []
        /// Entries whose first byte is b are order[bucketStarts[b]..<bucketStarts[b + 1]], longest first.
        var bucketStarts = [Int](repeating: 0, count: 129)
        var order: [UInt8] = []
        /// Bit (a << 7 | b) is set when some entry starts with the ASCII bytes a, b: most
        /// positions of a text start none, and this rules them out with one load.
        var pairs = [UInt64](repeating: 0, count: 128 * 128 / 64)

        init() {
            for entry in entries {
                var words: [UInt64] = [0, 0]
                var masks: [UInt64] = [0, 0]
                for (i, byte) in entry.prefix(16).enumerated() {
                    words[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8))
                    masks[i / 8] |= 0xFF << UInt64(8 * (i % 8))
                }
                low.append(words[0])
                high.append(words[1])
                lowMask.append(masks[0])
                highMask.append(masks[1])
                lengths.append(entry.count)
            }
            let longestFirst = entries.indices.sorted { (entries[$0].first ?? 0, entries[$1].count) < (entries[$1].first ?? 0, entries[$0].count) }
            for first in 0..<128 {
                bucketStarts[first] = order.count
                order += longestFirst.filter { entries[$0].first == UInt8(first) }.map { UInt8($0) }
            }
            bucketStarts[128] = order.count
            for entry in entries where entry.count >= 2 {
                let pair = Int(entry[0]) << 7 | Int(entry[1])
                pairs[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }
    }

    private static let table = Table()

    /// Appends the coded form of `bytes` to `out`: greedy longest match, ASCII literals,
    /// runs for the rest.
    static func encode(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        withCoded(bytes) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the coded form of `bytes`, held in temporary memory for the call.
    static func withCoded<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withContiguousBytes(bytes) { input in
            // A lone byte past ASCII takes three (marker, length, byte); nothing takes more.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, 3 * input.count)) { room in
                let table = table
                let written = table.low.withUnsafeBufferPointer { low in
                    table.high.withUnsafeBufferPointer { high in
                        table.lowMask.withUnsafeBufferPointer { lowMask in
                            table.highMask.withUnsafeBufferPointer { highMask in
                                table.lengths.withUnsafeBufferPointer { lengths in
                                    table.bucketStarts.withUnsafeBufferPointer { buckets in
                                        table.order.withUnsafeBufferPointer { order in
                                            table.pairs.withUnsafeBufferPointer { pairs in
                                                encode(input, into: room, words: Words(
                                                    low: low, high: high, lowMask: lowMask, highMask: highMask,
                                                    lengths: lengths, buckets: buckets, order: order, pairs: pairs))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                return body(UnsafeBufferPointer(rebasing: room[..<written]))
            }
        }
    }

    /// The table's arrays, borrowed for one call.
    private struct Words {
        let low, high, lowMask, highMask: UnsafeBufferPointer<UInt64>
        let lengths: UnsafeBufferPointer<Int>
        let buckets: UnsafeBufferPointer<Int>
        let order: UnsafeBufferPointer<UInt8>
        let pairs: UnsafeBufferPointer<UInt64>
    }

    /// Writes the coded bytes to `out`, which holds three bytes per input byte, and returns
    /// how many it wrote.
    private static func encode(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, words: Words) -> Int {
        var position = 0
        var written = 0
        let count = input.count
        while position < count {
            let byte = input[position]
            if byte >= 0x80 {
                var end = position + 1
                while end < count, end - position < 255, input[end] >= 0x80 { end += 1 }
                out[written] = runMarker
                out[written + 1] = UInt8(end - position)
                written += 2
                while position < end {
                    out[written] = input[position]
                    written += 1
                    position += 1
                }
                continue
            }
            // Every entry has two ASCII bytes or more; most positions start none.
            if position + 1 < count, input[position + 1] < 0x80 {
                let pair = Int(byte) << 7 | Int(input[position + 1])
                if words.pairs[pair >> 6] & (1 << UInt64(pair & 63)) != 0,
                   let (index, length) = longestEntry(at: position, in: input, words: words, bucket: Int(byte)) {
                    out[written] = firstEntryByte + UInt8(index)
                    written += 1
                    position += length
                    continue
                }
            }
            out[written] = byte
            written += 1
            position += 1
        }
        return written
    }

    /// The longest entry that `input` has at `position`, among those starting with `bucket`.
    @inline(__always)
    private static func longestEntry(
        at position: Int, in input: UnsafeBufferPointer<UInt8>, words: Words, bucket: Int
    ) -> (index: Int, length: Int)? {
        let remaining = input.count - position
        let (low, high) = littleEndianWords(input, from: position)
        for candidate in words.buckets[bucket]..<words.buckets[bucket + 1] {
            let index = Int(words.order[candidate])
            let length = words.lengths[index]
            if length <= remaining, low & words.lowMask[index] == words.low[index],
               high & words.highMask[index] == words.high[index] {
                return (index, length)
            }
        }
        return nil
    }

    /// Bytes position..<position+16 of `input` as two little-endian words, zero past its end.
    @inline(__always)
    private static func littleEndianWords(_ input: UnsafeBufferPointer<UInt8>, from position: Int) -> (UInt64, UInt64) {
        if input.count - position >= 16, let base = input.baseAddress {
            let raw = UnsafeRawPointer(base + position)
            return (UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        var words: (UInt64, UInt64) = (0, 0)
        for i in 0..<min(16, input.count - position) {
            let shifted = UInt64(input[position + i]) << UInt64(8 * (i % 8))
            if i < 8 { words.0 |= shifted } else { words.1 |= shifted }
        }
        return words
    }

    /// The bytes `coded` stands for, or nil when it is not well-formed or would decode to
    /// more than `limit` bytes.
    static func decode(_ coded: ArraySlice<UInt8>, limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(min(coded.count * 2, limit))
        var position = coded.startIndex
        while position < coded.endIndex {
            let byte = coded[position]
            position += 1
            if byte < firstEntryByte {
                out.append(byte)
            } else if byte == runMarker {
                guard position < coded.endIndex else { return nil }
                let length = Int(coded[position])
                position += 1
                guard length > 0, length <= coded.endIndex - position else { return nil }
                out.append(contentsOf: coded[position..<position + length])
                position += length
            } else {
                let index = Int(byte - firstEntryByte)
                guard index < entries.count else { return nil }
                out.append(contentsOf: entries[index])
            }
            guard out.count <= limit else { return nil }
        }
        return out
    }

    private static func withContiguousBytes<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
        return Array(bytes).withUnsafeBufferPointer(body)
    }
}
