import Tracking

/// Leaves every link and pixel out: a rewriter given this may only delete what the SPEC
/// says it removes (data-msys-* annotations, brace macros).
public final class RefusingURLMaker: TrackedURLMaker {
    public private(set) var offered: [FoundLink] = []
    public init() {}
    public func clickURL(for link: FoundLink) -> String? {
        offered.append(link)
        return nil
    }
    public func openURL(initial: Bool) -> String? { nil }
    public var lastRefusal: String? { "fuzz_refused" }
}

/// Gives each link back its own target, so that the text rewriter's output must equal its input.
public final class IdentityURLMaker: TrackedURLMaker {
    public init() {}
    public func clickURL(for link: FoundLink) -> String? { link.target }
    public func openURL(initial: Bool) -> String? { nil }
    public var lastRefusal: String? { nil }
}

/// Numbered marker URLs that need no escaping in HTML or text, so the output can be split
/// at them: click `https://click.invalid/N/`, pixels `https://pixel.invalid/top/` and `.../bottom/`.
public final class MarkerURLMaker: TrackedURLMaker {
    public static let clickPrefix = Array("https://click.invalid/".utf8)
    public static let pixelPrefix = Array("https://pixel.invalid/".utf8)
    public private(set) var links: [FoundLink] = []
    public private(set) var pixels: [Bool] = []
    public init() {}

    public static func click(_ number: Int) -> String { "https://click.invalid/\(number)/" }

    public func clickURL(for link: FoundLink) -> String? {
        links.append(link)
        return Self.click(links.count - 1)
    }

    public func openURL(initial: Bool) -> String? {
        pixels.append(initial)
        return "https://pixel.invalid/\(initial ? "top" : "bottom")/"
    }

    public var lastRefusal: String? { nil }
}
