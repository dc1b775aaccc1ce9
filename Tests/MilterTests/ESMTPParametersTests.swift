import Milter
import Testing

@Suite("ESMTP parameters of MAIL and RCPT")
struct ESMTPParametersTests {
    @Test("keywords in any case, values as given, the first of duplicates wins")
    func keywords() {
        let p = ESMTPParameters(["body=8BITMIME", "SMTPUTF8", "Size=10", "SIZE=20", "RET=HDRS"])
        #expect(p["BODY"] == "8BITMIME" && p["smtputf8"] == "" && p["ret"] == "HDRS" && p["ENVID"] == nil)
        #expect(p.size == 10)
    }

    @Test("SIZE= is 1 to 20 digits within Int; anything else is no size", arguments: [
        ("SIZE=0", 0), ("SIZE=0042", 42), ("SIZE=9223372036854775807", Int.max), ("SIZE=9223372036854775808", nil),
        ("SIZE=99999999999999999999999", nil), ("SIZE=", nil), ("SIZE", nil), ("SIZE=+5", nil), ("SIZE=-5", nil),
        ("SIZE=5 ", nil), ("SIZE=1e6", nil), ("SIZE=١٢", nil),
    ] as [(String, Int?)])
    func size(_ argument: String, _ expected: Int?) {
        #expect(ESMTPParameters([argument]).size == expected)
    }
}
