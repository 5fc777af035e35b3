import ArgumentParser
import Methods

/// `sparseseg methods`: the registered methods, one line each.
struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods", abstract: "List the registered methods, with the labels each may read.")

    func run() {
        let registry = MethodRegistry.standard
        let width = registry.methodNames.map(\.count).max() ?? 0
        for r in registry.registrations {
            let access = r.labelAccess == .allTrainingMasks ? "[reads \(r.labelAccess.rawValue)] " : ""
            print(r.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + access + r.summary)
        }
    }
}
