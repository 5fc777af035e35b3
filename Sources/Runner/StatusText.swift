import Foundation

/// Formats a ``RunStatus`` for people: a summary line and one line per job.
public enum StatusText {
    /// The summary: counts of queued, running, done and failed jobs and of workers.
    public static func summary(_ status: RunStatus) -> String {
        "\(status.count(.done))/\(status.jobs.count) done, \(status.count(.running)) running, "
            + "\(status.count(.queued) + status.count(.orphaned)) queued, \(status.count(.failed)) failed, \(status.workers.count) worker\(status.workers.count == 1 ? "" : "s")"
    }

    /// One line for a job: state, attempt, worker, a progress bar and ETA when running,
    /// failure reasons when failed.
    public static func line(_ job: JobStatus, barWidth: Int = 20) -> String {
        var text = "\(job.id.padding(toLength: max(job.id.count, 18), withPad: " ", startingAt: 0)) \(job.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))"
        if job.attempt > 0 { text += " #\(job.attempt)" }
        if job.state == .running {
            let fraction = min(1, max(0, job.progress?.fraction ?? 0))
            let filled = Int((fraction * Double(barWidth)).rounded())
            text += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
            text += String(format: " %3.0f%%", fraction * 100)
            // JobProgress.epoch is 1-based already (the epoch under way), as executors send it.
            if let epoch = job.progress?.epoch, let epochs = job.progress?.epochs { text += " epoch \(epoch)/\(epochs)" }
            if let loss = job.progress?.loss { text += String(format: " loss %.4f", loss) }
            if let eta = job.progress?.etaSeconds { text += " ETA \(duration(eta))" }
            if let worker = job.worker { text += " on \(worker)" }
        } else if job.state == .failed {
            text += " " + job.failures.joined(separator: "; ")
        } else if job.state == .done, let worker = job.worker {
            text += " by \(worker)"
        }
        return text
    }

    /// "1h02m", "3m05s" or "12s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
