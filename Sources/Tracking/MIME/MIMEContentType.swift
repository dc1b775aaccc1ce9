/// A parsed Content-Type or Content-Disposition value: lower-cased type (and subtype) and
/// the parameters, with RFC 2231 continuations (`boundary*0=`, `*1=`) and extended values
/// (`name*=utf-8''%41`) joined and decoded.
struct MIMEContentType: Equatable {
    var type: String
    /// Empty for Content-Disposition.
    var subtype: String
    /// Lower-cased names; values as raw bytes (a boundary must be compared byte for byte).
    var parameters: [String: [UInt8]]

    /// Parses `type/subtype *(; parameter)`; nil when there is no usable type (or subtype).
    init?(contentType value: [UInt8]) {
        var scanner = MIMEFieldValueScanner(value)
        scanner.skipCFWS()
        let type = scanner.token(stoppingAt: [UInt8(ascii: "/"), UInt8(ascii: ";")])
        scanner.skipCFWS()
        guard !type.isEmpty, scanner.take(UInt8(ascii: "/")) else { return nil }
        scanner.skipCFWS()
        let subtype = scanner.token(stoppingAt: [UInt8(ascii: ";")])
        guard !subtype.isEmpty else { return nil }
        self.type = MIMEBytes.lowercased(type)
        self.subtype = MIMEBytes.lowercased(subtype)
        parameters = Self.parameters(&scanner)
    }

    /// Parses `disposition *(; parameter)`; nil when the disposition token is missing.
    init?(disposition value: [UInt8]) {
        var scanner = MIMEFieldValueScanner(value)
        scanner.skipCFWS()
        let type = scanner.token(stoppingAt: [UInt8(ascii: ";")])
        guard !type.isEmpty else { return nil }
        self.type = MIMEBytes.lowercased(type)
        subtype = ""
        parameters = Self.parameters(&scanner)
    }

    /// A parameter as text (lower-cased when `lowercased`), trimmed; nil when absent or empty.
    func string(_ name: String, lowercased: Bool = false) -> String? {
        guard let bytes = parameters[name] else { return nil }
        let text = MIMEBytes.trimmedText(bytes)
        guard !text.isEmpty else { return nil }
        return lowercased ? text.lowercased() : text
    }

    private struct Section {
        var number: Int
        var extended: Bool
        var value: [UInt8]
    }

    private static func parameters(_ scanner: inout MIMEFieldValueScanner) -> [String: [UInt8]] {
        var plain: [String: [UInt8]] = [:]
        // Keyed by section number: a header may carry thousands of sections.
        var sectioned: [String: [Int: Section]] = [:]
        while !scanner.isAtEnd {
            scanner.skipPastSemicolon()
            scanner.skipCFWS()
            let name = scanner.token(stoppingAt: [UInt8(ascii: "="), UInt8(ascii: ";")])
            scanner.skipCFWS()
            guard !name.isEmpty, scanner.take(UInt8(ascii: "=")) else { continue }
            scanner.skipCFWS()
            let value = scanner.parameterValue()
            let lowered = MIMEBytes.lowercased(name)
            if let star = lowered.firstIndex(of: "*") {
                // RFC 2231: name*, name*N, name*N*.
                let base = String(lowered[..<star])
                var rest = lowered[lowered.index(after: star)...]
                let extended = rest.hasSuffix("*") || rest.isEmpty
                if rest.hasSuffix("*") { rest = rest.dropLast() }
                let number = rest.isEmpty ? 0 : Int(rest)
                guard let number else { continue }
                if sectioned[base]?[number] != nil { continue }  // the first of duplicate sections wins
                sectioned[base, default: [:]][number] = Section(number: number, extended: extended, value: value)
            } else if plain[lowered] == nil {
                plain[lowered] = value  // the first of duplicate parameters wins
            }
        }
        for (name, sections) in sectioned where plain[name] == nil {
            plain[name] = joined(sections.values.sorted { $0.number < $1.number })
        }
        return plain
    }

    /// Joins RFC 2231 sections, stopping at a gap, and percent-decodes extended ones; the
    /// first extended section starts with `charset'language'`, which is dropped (the bytes
    /// matter here, not their charset).
    private static func joined(_ sections: [Section]) -> [UInt8] {
        var out: [UInt8] = []
        for (expected, section) in sections.enumerated() {
            guard section.number == expected else { break }
            guard section.extended else {
                out += section.value
                continue
            }
            var value = section.value[...]
            if expected == 0 {
                let quotes = value.indices.filter { value[$0] == UInt8(ascii: "'") }
                if quotes.count >= 2 { value = value[(quotes[1] + 1)...] }
            }
            out += percentDecoded(value)
        }
        return out
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
               let high = MIMEBytes.hexValue(bytes[i + 1]), let low = MIMEBytes.hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
