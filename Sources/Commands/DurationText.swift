import Foundation

/// Durations as people read them: "0.54 s", "12.3 s", "2 min 3 s", "1 h 2 min", with as many
/// digits as matter at that scale (Duration's own text is "0.543702304 seconds").
enum DurationText {
    static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "n/a" }
        if seconds < 9.995 { return String(format: "%.2f s", seconds) }
        if seconds < 59.95 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return format(Double(seconds) + Double(attoseconds) * 1e-18)
    }
}
