import ChildProcesses
import Foundation
import XCTest

final class ChildProcessTests: XCTestCase {
    func testRunReturnsTheExitCodeAndTheInterleavedOutput() throws {
        let (termination, output) = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: .seconds(10))
        XCTAssertEqual(termination, .exited(3))
        XCTAssertEqual(output, "out\nerr\n")
    }

    /// The regression behind a CI run that hung for 90 minutes: the child starts a daemon that
    /// outlives it. Foundation's Process would wait for the daemon; we wait for the child.
    func testAChildThatLeavesADaemonBehindIsSeenToExit() throws {
        let started = ContinuousClock.now
        let (termination, output) = try ChildProcess.run("/bin/sh", ["-c", "sleep 30 & echo started $!; exit 0"], timeout: .seconds(20))
        XCTAssertEqual(termination, .exited(0))
        XCTAssertTrue(output.hasPrefix("started "), output)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        // The daemon by its own pid: a kill by name would hit any other `sleep 30` on the host.
        let daemon = try XCTUnwrap(pid_t(output.dropFirst("started ".count).trimmingCharacters(in: .whitespacesAndNewlines)), output)
        XCTAssertEqual(kill(daemon, SIGKILL), 0)
    }

    func testTheChildInheritsNoDescriptorBeyondTheStandardThree() throws {
        let fd = open("/dev/null", O_RDONLY)  // opened without O_CLOEXEC on purpose
        defer { close(fd) }
        let (_, output) = try ChildProcess.run("/bin/sh", ["-c", "ls /proc/self/fd"], timeout: .seconds(10))
        // 0, 1, 2 and the descriptor ls opens to read the directory.
        let descriptors = output.split(separator: "\n").compactMap { Int($0) }
        XCTAssertFalse(descriptors.contains(Int(fd)), output)
        XCTAssertTrue(descriptors.allSatisfy { $0 <= 3 }, output)
    }

    func testATimeoutKillsTheWholeProcessGroupAndSaysSo() throws {
        let started = ContinuousClock.now
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(getpid())-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let (termination, output) = try ChildProcess.run(
            "/bin/sh", ["-c", "sleep 40 & echo $! > '\(pidFile.path)'; sleep 40; echo never"], timeout: .milliseconds(300))
        XCTAssertEqual(termination, .signalled(SIGKILL))
        XCTAssertTrue(output.hasPrefix("[killed after") || output.hasPrefix("\n[killed after"), "nothing printed before the note: \(output)")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        // The background sleep by its own pid (never by name: another `sleep 40` may run on
        // the host). Orphaned by the group's kill, it is reaped by init shortly after.
        let text = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let background = try XCTUnwrap(pid_t(text), text)
        let deadline = ContinuousClock.now + .seconds(5)
        while kill(background, 0) == 0 && ContinuousClock.now < deadline { usleep(20_000) }
        XCTAssertEqual(kill(background, 0), -1, "the background sleep of the killed group is gone")
        XCTAssertEqual(errno, ESRCH)
    }

    func testSignalsReachTheChildAndEndItWithTheirNumber() throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        XCTAssertTrue(child.isRunning)
        XCTAssertEqual(child.terminationStatus, -1)
        child.terminate()
        XCTAssertEqual(child.wait(timeout: .seconds(5)), .signalled(SIGTERM))
        XCTAssertFalse(child.isRunning)
        XCTAssertEqual(child.terminationStatus, 128 + SIGTERM)
    }

    func testAnIgnoredSignalInTheParentIsTheDefaultInTheChild() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        child.terminate()
        XCTAssertEqual(child.wait(timeout: .seconds(5)), .signalled(SIGTERM))
    }

    func testEnvironmentDirectoryAndOutputFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("log").path
        try Data("before\n".utf8).write(to: URL(fileURLWithPath: log))
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo \"$GREETING\"; pwd"],
                                     environment: ["GREETING": "hello"], directory: directory.path, output: .file(log))
        XCTAssertEqual(child.wait(timeout: .seconds(10)), .exited(0))
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "before\nhello\n\(directory.path)\n")
    }

    func testAMissingExecutableIsAnErrorNamingIt() {
        XCTAssertThrowsError(try ChildProcess(executable: "/no/such/program", arguments: [])) { error in
            XCTAssertTrue("\(error)".contains("/no/such/program"), "\(error)")
        }
    }
}
