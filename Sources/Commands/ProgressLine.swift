import Foundation
import Methods

/// A one-line progress bar with an ETA on a terminal; one line per epoch otherwise.
final class ProgressLine {
    private let terminal: Bool
    private var lastDraw = Date.distantPast

    init(terminal: Bool) { self.terminal = terminal }

    func update(_ p: Methods.TrainingProgress) {
        let eta = p.etaSeconds.map { String(format: "ETA %dm%02ds", Int($0) / 60, Int($0) % 60) } ?? "ETA --"
        let loss = p.losses["loss"].map { String(format: "loss %.4f", $0) } ?? ""
        let text = "\(p.phase) epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.stepsPerEpoch) \(loss) \(eta)"
        if terminal {
            guard Date().timeIntervalSince(lastDraw) > 0.2 || p.step == p.stepsPerEpoch else { return }
            lastDraw = Date()
            let done = p.stepsPlanned > 0 ? Double(p.stepsDone) / Double(p.stepsPlanned) : 0
            let filled = Int(done * 20)
            print("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + text + "\u{1B}[K", terminator: "")
            fflush(nil)
        } else if p.step == p.stepsPerEpoch {
            print(text)
        }
    }

    func finish() {
        if terminal { print("") }
    }
}
