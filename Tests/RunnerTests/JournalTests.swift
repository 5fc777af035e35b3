import Foundation
import Jobs
import XCTest
@testable import Runner

/// The journal: records come back in order after reopening, a torn last line is cut off, and
/// corruption elsewhere is an error naming the line.
final class JournalTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try FileManager.default.removeItem(at: directory) }

    var url: URL { directory.appendingPathComponent("journal.jsonl") }

    /// Records made once, so that their timestamps compare equal.
    lazy var fixture: [JournalRecord] = {
        let job = JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1)
        let claim = JobClaim(job: "a", attempt: 1)
        return [.job(job), .assigned(claim, worker: "w:1"), .attemptFailed(claim, reason: "lost", counts: true),
                .assigned(JobClaim(job: "a", attempt: 2), worker: "w:2")]
    }()

    func records() -> [JournalRecord] { fixture }

    func testRecordsComeBackInOrderAfterReopening() throws {
        do {
            let (journal, existing) = try Journal.open(at: url)
            XCTAssertEqual(existing, [])
            for record in records() { try journal.append(record) }
            try journal.sync()
        }
        do {
            let (journal, replayed) = try Journal.open(at: url)
            XCTAssertEqual(replayed, records())
            try journal.append(.done(CompletedJob(job: "a", attempt: 2, method: "test.echo", fold: 0, seed: 1, rows: [], artefacts: [], seconds: 1,
                                                  startedAt: 0, finishedAt: 1, worker: "w:2", host: "h")))
            try journal.sync()
        }
        XCTAssertEqual(try Journal.open(at: url).records.last?.kind, .done)
    }

    /// A journal is open in one place at a time: a second coordinator on the same run
    /// directory is refused with a message naming the journal, and the journal opens again
    /// once the first is released.
    func testAnOpenJournalRefusesASecondOpener() throws {
        do {
            let (journal, _) = try Journal.open(at: url)
            try journal.append(records()[0])
            XCTAssertThrowsError(try Journal.open(at: url)) { error in
                XCTAssertTrue("\(error)".contains("journal.jsonl: in use: another coordinator"), "\(error)")
            }
        }
        XCTAssertEqual(try Journal.open(at: url).records, [records()[0]])
    }

    func testATornLastLineIsCutOffAndAppendingContinuesAfterIt() throws {
        do {
            let (journal, _) = try Journal.open(at: url)
            for record in records().prefix(2) { try journal.append(record) }
            try journal.sync()
        }
        let intact = try Data(contentsOf: url)
        // kill -9 in the middle of a write: half a record, no newline.
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data(#"{"v":1,"kind":"assig"#.utf8))
        try handle.close()

        do {
            let (journal, replayed) = try Journal.open(at: url)
            XCTAssertEqual(replayed, Array(records().prefix(2)))
            XCTAssertEqual(try Data(contentsOf: url), intact, "the torn tail is removed from the file")
            try journal.append(records()[2])
            try journal.sync()
        }
        XCTAssertEqual(try Journal.open(at: url).records, Array(records().prefix(3)))
    }

    func testAnUnparseableLastLineWithItsNewlineIsAlsoTorn() throws {
        try Data((String(decoding: try JSONEncoder().encode(records()[0]), as: UTF8.self) + "\n{\"v\":1,\u{0}\u{0}\n").utf8).write(to: url)
        XCTAssertEqual(try Journal.open(at: url).records, [records()[0]])
    }

    func testACorruptLineBeforeTheEndIsAnErrorNamingTheLine() throws {
        let good = String(decoding: try JSONEncoder().encode(records()[0]), as: UTF8.self)
        try Data("\(good)\nnot json\n\(good)\n".utf8).write(to: url)
        XCTAssertThrowsError(try Journal.open(at: url)) { error in
            XCTAssertTrue("\(error)".contains("journal.jsonl:2"), "\(error)")
        }
    }
}
