import Testing
import Tracking

/// Found by fuzz-text-urls (Fuzz/regressions/fuzz-text-urls): with its `[[data-msys-...]]`
/// annotation removed, a URL ran into the text that followed the annotation, so the tracked
/// URL (and its token) had that text glued on and no longer opened.
@Suite("Text annotations: the URL stays apart from what follows")
struct TextAnnotationRegressionTests {
    @Test("text right after the annotation is kept apart by one space")
    func textAfterAnnotation() {
        let result = Rewrite.text(#"http://e[[data-msys-k=""]]l"#)
        #expect(result.text == "https://t.example/f/a/T1 l")
        #expect(result.targets == ["http://e"])
    }

    @Test("an untracked URL does not take in the text either")
    func untracked() {
        #expect(Rewrite.text(#"http://x.example/a[[data-msys-clicktrack="0"]]b"#).text == "http://x.example/a b")
        #expect(Rewrite.text(#"http://x.example/a[[data-msys-linkname="n"]]b"#, click: false).text == "http://x.example/a b")
    }

    @Test("punctuation a reader trims is kept without a space; punctuation then text is not")
    func punctuation() {
        #expect(Rewrite.text(#"See http://x.example/a[[data-msys-linkname="n"]]. Next"#).text == "See https://t.example/f/a/T1. Next")
        #expect(Rewrite.text(#"(http://x.example/a[[data-msys-linkname="n"]])"#).text == "(https://t.example/f/a/T1)")
        #expect(Rewrite.text(#"http://x.example/a[[data-msys-linkname="n"]].b"#).text == "https://t.example/f/a/T1 .b")
        #expect(Rewrite.text(#"http://x.example/a[[data-msys-linkname="n"]]!"#).text == "https://t.example/f/a/T1!")
    }

    @Test("a bracket the original URL balances is kept apart")
    func balancedBracket() {
        #expect(Rewrite.text(#"http://x.example/(a[[data-msys-clicktrack="0"]])"#).text == "http://x.example/(a )")
    }

    @Test("the URL's own trimmed tail stays, apart from text that follows")
    func trimmedTail() {
        #expect(Rewrite.text(#"http://x.example/a.[[data-msys-linkname="n"]]b"#).text == "https://t.example/f/a/T1 .b")
        #expect(Rewrite.text(#"http://x.example/a.[[data-msys-linkname="n"]] b"#).text == "https://t.example/f/a/T1. b")
    }

    @Test("in <URL> form nothing may stand between the URL and the >")
    func angleBrackets() {
        #expect(Rewrite.text(#"<http://g[[data-msys-a=""]].>"#).text == "<https://t.example/f/a/T1 .>")
        #expect(Rewrite.text(#"<http://g[[data-msys-a=""]]>"#).text == "<https://t.example/f/a/T1>")
    }

    @Test("a long run of punctuation after the annotation is not held without bound")
    func longPunctuationRun() {
        let dots = String(repeating: ".", count: 20_000)
        let result = Rewrite.text("http://x.example/a[[data-msys-linkname=\"n\"]]" + dots)
        #expect(result.text == "https://t.example/f/a/T1 " + dots)
    }

    @Test("an annotation after a scheme with nothing behind it is text, and a URL in it is found")
    func annotationOfNoURL() {
        let result = Rewrite.text(#"http://[[data-msys-a="http://x.example/"]]"#)
        #expect(result.text == #"http://[[data-msys-a="https://t.example/f/a/T1"]]"#)
        #expect(result.targets == ["http://x.example/"])
        #expect(!Rewrite.text(#"http://[[data-msys-a="b"]]"#).changed)
    }
}
