import ArgumentParser
import Dispatch
import Foundation

/// Calls `action` on SIGINT or SIGTERM (instead of dying) for as long as it is kept alive,
/// and remembers the first such signal.
/// Unchecked: the dispatch sources are only created and cancelled, both thread-safe.
final class SignalHandlers: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let first = FirstSignal()

    init(_ action: @escaping @Sendable () -> Void) {
        let first = self.first
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                first.record(number)
                action()
            }
            source.resume()
            return source
        }
    }

    deinit { for source in sources { source.cancel() } }

    /// The first signal received, or nil.
    var received: Int32? { first.value }

    /// The exit status of a command stopped by the signal received: 128 + its number, as a
    /// shell reports a process the signal killed (130 for SIGINT, 143 for SIGTERM), so that a
    /// script sees the command did not finish. Nil when no signal came.
    var exitCode: ExitCode? { received.map { ExitCode(128 + $0) } }

    /// "SIGINT" or "SIGTERM".
    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }
}

/// The first signal a ``SignalHandlers`` received.
private final class FirstSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var number: Int32?

    func record(_ signal: Int32) { lock.withLock { if number == nil { number = signal } } }

    var value: Int32? { lock.withLock { number } }
}
