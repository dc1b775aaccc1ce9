import Testing
import Tracking

@Suite("HTML rewriter: what is markup")
struct HTMLRewriterMarkupTests {
    @Test("an <a href> inside raw text is text, not a link", arguments: [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
    ])
    func rawTextElements(element: String) {
        let input = "<\(element)>x <a href=\"https://x.example/in\">in</a> y</\(element.uppercased()) >"
            + "<a href=\"https://x.example/out\">out</a>"
        let result = Rewrite.html(input)
        #expect(result.targets == ["https://x.example/out"])
        #expect(result.text == "<\(element)>x <a href=\"https://x.example/in\">in</a> y</\(element.uppercased()) >"
            + "<a href=\"https://t.example/f/a/T1\">out</a>")
    }

    @Test("raw text ends only at its own end tag")
    func rawTextEndTag() {
        let result = Rewrite.html(#"<style></styles><a href="https://x.example/1"></style/><a href="https://x.example/2">"#)
        #expect(result.targets == ["https://x.example/2"])
    }

    @Test("everything after <plaintext> is text")
    func plaintext() {
        let result = Rewrite.html(#"<plaintext></plaintext><a href="https://x.example/">x</a>"#)
        #expect(result.links.isEmpty)
    }

    @Test("a script's <!-- <script> --> section does not end at </script>")
    func scriptDoubleEscape() {
        let input = #"<script><!-- <script>x</script> <a href="https://x.example/1"> --></script>"#
            + #"<a href="https://x.example/2">"#
        #expect(Rewrite.html(input).targets == ["https://x.example/2"])
    }

    @Test("ordinary comments are copied untouched")
    func comments() {
        let input = #"<!-- <a href="https://x.example/1"> --><!----><!-- - -- ---><a href="https://x.example/2">"#
        let result = Rewrite.html(input)
        #expect(result.targets == ["https://x.example/2"])
        #expect(result.text == #"<!-- <a href="https://x.example/1"> --><!----><!-- - -- ---><a href="https://t.example/f/a/T1">"#)
    }

    @Test("<!--> and <!---> close at once; --!> closes; -- > does not", arguments: [
        (#"<!--><a href="https://x.example/">"#, 1),
        (#"<!---><a href="https://x.example/">"#, 1),
        (#"<!-- x --!><a href="https://x.example/">"#, 1),
        (#"<!-- x -- ><a href="https://x.example/"> -->"#, 0),
        (#"<!-- <!-- x --><a href="https://x.example/">"#, 1),
    ])
    func commentEdges(input: String, links: Int) {
        #expect(Rewrite.html(input).links.count == links)
    }

    @Test("DOCTYPE, CDATA (a bogus comment in HTML) and <? ?> end at the first >")
    func declarations() {
        let input = #"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><?xml version="1.0"?>"#
            + #"<![CDATA[<a href="https://x.example/1">]]><a href="https://x.example/2">"#
        #expect(Rewrite.html(input).targets == ["https://x.example/2"])
    }

    @Test("links inside <!--[if mso]> are tracked: VML buttons and plain anchors")
    func conditionalComments() {
        let input = """
            <!--[if mso]>
            <v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="https://x.example/vml" style="height:40px" \
            arcsize="10%" data-msys-linkname="Button"><w:anchorlock/><center>Go</center></v:roundrect>
            <a href="https://x.example/a">a</a><v:rect href='https://x.example/r'/>
            <![endif]-->
            <!--[if !mso]><!--><a href="https://x.example/b">b</a><!--<![endif]-->
            """
        let result = Rewrite.html(input)
        #expect(result.targets == ["https://x.example/vml", "https://x.example/a", "https://x.example/r", "https://x.example/b"])
        #expect(result.links.first?.name == "Button")
        #expect(result.text == """
            <!--[if mso]>
            <v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="https://t.example/f/a/T1" style="height:40px" \
            arcsize="10%"><w:anchorlock/><center>Go</center></v:roundrect>
            <a href="https://t.example/f/a/T2">a</a><v:rect href='https://t.example/f/a/T3'/>
            <![endif]-->
            <!--[if !mso]><!--><a href="https://t.example/f/a/T4">b</a><!--<![endif]-->
            """)
    }

    @Test("a conditional comment ends at the first -->, even inside a tag")
    func conditionalCommentEnd() {
        let input = #"<!--[if mso]><a href="https://x.example/1" title="-->"><a href="https://x.example/2">"#
        let result = Rewrite.html(input)
        #expect(result.targets == ["https://x.example/2"])
        #expect(result.text == #"<!--[if mso]><a href="https://x.example/1" title="-->"><a href="https://t.example/f/a/T1">"#)
    }

    @Test("VML shapes outside conditional comments, and comments like <!--[iffy]>, are not followed")
    func notConditional() {
        let input = #"<v:roundrect href="https://x.example/1"/><!--[iffy]><a href="https://x.example/2">-->"#
        #expect(Rewrite.html(input).links.isEmpty)
    }

    @Test("upper- and mixed-case tags and self-closing syntax")
    func caseAndSelfClosing() {
        let result = Rewrite.html(#"<A HREF="https://x.example/1">1</A><Area Href=https://x.example/2 /><a/href="https://x.example/3"/>"#)
        #expect(result.text == #"<A HREF="https://t.example/f/a/T1">1</A><Area Href="https://t.example/f/a/T2" /><a/href="https://t.example/f/a/T3"/>"#)
    }

    @Test("an unquoted value takes a following / as HTML5 does")
    func unquotedSlash() {
        #expect(Rewrite.html("<a href=https://x.example/a/>x</a>").targets == ["https://x.example/a/"])
    }
}
