import Foundation
import Runner

/// The live view of `sparseseg run`: on a terminal, a block of progress bars redrawn in
/// place; otherwise one plain line per event.
final class LiveView: @unchecked Sendable {
    private let terminal: Bool
    private let runDirectory: String
    private let lock = NSLock()
    private var drawnLines = 0

    init(terminal: Bool, runDirectory: String) {
        self.terminal = terminal
        self.runDirectory = runDirectory
    }

    func event(_ event: CoordinatorEvent) {
        if case .listening(let endpoint) = event {
            // On a terminal too: it is how another terminal can follow the run.
            note("coordinator listening on \(endpoint) (follow it with `sparseseg status \(runDirectory)` or `sparseseg status --connect \(endpoint)`)")
            return
        }
        guard !terminal else { return }
        let line: String
        switch event {
        case .listening: return
        case .workerJoined(let name): line = "worker \(name) joined"
        case .workerLost(let name, let reason): line = "worker \(name) lost: \(reason)"
        case .assigned(let claim, let worker): line = "\(claim.job) attempt \(claim.attempt) -> \(worker)"
        case .finished(let result): line = "\(result.job) done in \(DurationText.format(result.seconds)) (\(counted(result.rows.count, "row")))"
        case .attemptFailed(let claim, let reason, let failed): line = "\(claim.job) attempt \(claim.attempt) \(failed ? "FAILED" : "requeued"): \(reason)"
        }
        // Flushed per line: piped into a log file, stdout is otherwise block-buffered and the
        // plain lines would arrive only when the run ends.
        lock.withLock {
            print(line)
            fflush(nil)
        }
    }

    /// A line about the run itself (not a job), on a terminal and in plain output alike.
    func note(_ line: String) {
        lock.withLock {
            if terminal {
                let up = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[2K" : ""
                FileHandle.standardOutput.write(Data((up + line + "\n").utf8))
                drawnLines = 0
            } else {
                print(line)
                fflush(nil)
            }
        }
    }

    func draw(_ status: RunStatus, final: Bool = false) {
        guard terminal else { return }
        let shown = status.jobs.filter { $0.state == .running || $0.state == .failed } + (final ? status.jobs.filter { $0.state == .done } : [])
        let lines = [StatusText.summary(status)] + shown.map { StatusText.line($0) }
        lock.withLock {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            for line in lines { text += "\u{1B}[2K" + line + "\n" }
            for _ in lines.count..<max(lines.count, drawnLines) { text += "\u{1B}[2K\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
            drawnLines = max(lines.count, drawnLines)
        }
    }
}
