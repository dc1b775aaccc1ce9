import Foundation
import Testing
@testable import TrackingRuntime

@Suite("The crash journal", .serialized)
struct PoisonJournalTests {
    func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
    }

    func fingerprint(_ id: String) -> MessageFingerprint {
        let body = Array("body of \(id)".utf8)
        return body.withUnsafeBytes {
            MessageFingerprint(messageID: id, sender: "s@example.com", recipients: ["r@example.com"], apiHeaders: [], bodyStart: $0)
        }
    }

    /// What the crash handler stores when a thread working on `slot` dies.
    func markCrash(_ path: String, slot: Int32?) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(JournalFile.crashedOffset))
        try handle.write(contentsOf: [1])
        if let slot {
            try handle.seek(toOffset: UInt64(JournalFile.culpritOffset))
            try handle.write(contentsOf: withUnsafeBytes(of: slot.littleEndian) { Array($0) })
        }
    }

    @Test("a crash names the message the crashing thread worked on; it alone passes unchanged next time")
    func crashNamesTheCulprit() throws {
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let journal = try PoisonJournal(path: file, now: 1000)
        let innocent = journal.begin(fingerprint("<a@x>"))
        let guilty = try #require(journal.begin(fingerprint("<b@x>")))
        #expect(innocent != nil)
        // Slots are handed out from 0 up; the second message has slot 1.
        try markCrash(file, slot: 1)
        _ = guilty
        let after = try PoisonJournal(path: file, now: 2000)
        #expect(after.recovery == PoisonJournal.Recovery(leftover: 2, crashed: true, suspects: 1, newSuspects: 1))
        #expect(after.isSuspect(fingerprint("<b@x>")))
        #expect(!after.isSuspect(fingerprint("<a@x>")))
        // The suspect stays across a clean restart, until it expires.
        let again = try PoisonJournal(path: file, now: 3000)
        #expect(again.isSuspect(fingerprint("<b@x>")) && again.recovery.newSuspects == 0)
        let expired = try PoisonJournal(path: file, now: 2000 + PoisonJournal.suspectLifetime + 1)
        #expect(!expired.isSuspect(fingerprint("<b@x>")))
    }

    @Test("a kill without a crash mark (SIGKILL, OOM, power loss) makes nobody a suspect")
    func killIsNotACrash() throws {
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let journal = try PoisonJournal(path: file, now: 1000)
        let kept = [journal.begin(fingerprint("<a@x>")), journal.begin(fingerprint("<b@x>"))]
        let after = try PoisonJournal(path: file, now: 1001)
        #expect(after.recovery == PoisonJournal.Recovery(leftover: 2, crashed: false, suspects: 0, newSuspects: 0))
        #expect(!after.isSuspect(fingerprint("<a@x>")))
        _ = kept
    }

    @Test("a crash outside any message makes every message then in flight a suspect")
    func crashWithoutCulprit() throws {
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let journal = try PoisonJournal(path: file, now: 1000)
        let kept = [journal.begin(fingerprint("<a@x>")), journal.begin(fingerprint("<b@x>"))]
        try markCrash(file, slot: nil)
        let after = try PoisonJournal(path: file, now: 1001)
        #expect(after.recovery.newSuspects == 2)
        #expect(after.isSuspect(fingerprint("<a@x>")) && after.isSuspect(fingerprint("<b@x>")))
        _ = kept
    }

    @Test("a finished message leaves no trace; slots are reused; a full journal is no error")
    func slots() throws {
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let journal = try PoisonJournal(path: file, now: 1000)
        var held: [PoisonJournal.InFlight] = []
        for n in 0..<PoisonJournal.slotCount { held.append(try #require(journal.begin(fingerprint("<\(n)@x>")))) }
        #expect(journal.begin(fingerprint("<over@x>")) == nil)
        for entry in held { entry.end() }
        held.removeAll()
        let again = journal.begin(fingerprint("<again@x>"))
        #expect(again != nil)
        try markCrash(file, slot: nil)
        // Only the one message still in flight is left.
        #expect(try PoisonJournal(path: file, now: 1001).recovery.leftover == 1)
        _ = again
    }

    @Test("a damaged or foreign file is read as empty and replaced", arguments: [Data(), Data("not a journal".utf8), Data(repeating: 0xFF, count: 70_000)])
    func damaged(contents: Data) throws {
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try contents.write(to: URL(fileURLWithPath: file))
        let journal = try PoisonJournal(path: file, now: 1000)
        #expect(journal.recovery == PoisonJournal.Recovery())
        #expect(journal.begin(fingerprint("<a@x>")) != nil)
    }

    @Test("the fingerprint ignores nothing a retry keeps and changes with the message")
    func fingerprints() {
        #expect(fingerprint("<a@x>") == fingerprint("<a@x>"))
        #expect(fingerprint("<a@x>") != fingerprint("<b@x>"))
    }
}
