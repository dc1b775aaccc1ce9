/// The Content-* fields of one entity's header, all the walker needs to classify it. Values
/// stay bytes: 8-bit header bytes and odd boundaries must survive exactly.
struct MIMEHeaderFields {
    var contentType: [[UInt8]] = []
    var transferEncoding: [[UInt8]] = []
    var disposition: [[UInt8]] = []

    /// From the top-level fields as the milter got them (folded or not, names in any case).
    init(fields: [HeaderField]) {
        for field in fields { add(name: Array(field.name.utf8), value: field.value) }
    }

    /// From a body part's header block (checked by `MIMEHeaderBlock.isAcceptable` line by line).
    init(block: [UInt8]) {
        var name: [UInt8]?
        var value: [UInt8] = []
        var start = 0
        while start < block.count {
            let end = block[start...].firstIndex(of: MIMEBytes.lf).map { $0 + 1 } ?? block.count
            let line = block[start..<end]
            start = end
            if let first = line.first, MIMEBytes.isWhitespace(first) {
                value += line  // a continuation: folding whitespace is skipped by the value scanner
                continue
            }
            if let name { add(name: name, value: value) }
            guard let colon = line.firstIndex(of: MIMEBytes.colon) else {
                name = nil  // the blank line
                continue
            }
            name = Array(line[..<colon])
            value = Array(line[(colon + 1)...])
        }
        if let name { add(name: name, value: value) }
    }

    private mutating func add(name: [UInt8], value: [UInt8]) {
        var name = name
        while let last = name.last, MIMEBytes.isWhitespace(last) { name.removeLast() }
        switch MIMEBytes.lowercased(name) {
        case "content-type": contentType.append(value)
        case "content-transfer-encoding": transferEncoding.append(value)
        case "content-disposition": disposition.append(value)
        default: break
        }
    }
}
