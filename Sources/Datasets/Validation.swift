import SeededRandom

/// One held-out training case as validation sees it: its central slice's image and manual
/// mask, nothing else (the same firewall as ``TrainingView``: no other mask of the case, and
/// no test case, can reach it).
public struct ValidationSlice: Sendable {
    /// The training case it was taken from.
    public let caseID: String
    /// The image of the central slice, row-major [S, S].
    public let image: [Float]
    /// The central slice's manual mask.
    public let label: CentralSliceLabel
}

/// Training cases of a fold held out from training, scored after every epoch on their
/// central slices only. Made only by ``TrainingView/holdingOut(_:seed:)``, so it can hold
/// nothing a ``TrainingView`` does not already hold.
public struct ValidationSet: Sendable {
    /// The held-out cases' central slices, in dataset order.
    public let slices: [ValidationSlice]
    /// The size of every slice.
    public let sliceSize: SliceSize
}

extension TrainingView {
    /// Removes `count` cases from this view and returns the rest and the removed cases'
    /// central slices. The cases are the first `count` of a Fisher-Yates shuffle of the view's
    /// cases drawn from `seed` and the fold (the run's split seed, so every method and every
    /// training seed of a run holds out the same cases); both parts keep dataset order.
    /// `count` 0 returns the view unchanged and an empty set.
    public func holdingOut(_ count: Int, seed: UInt64) -> (training: TrainingView, validation: ValidationSet) {
        precondition(count >= 0 && count < cases.count, "holdingOut: \(count) of \(cases.count) cases")
        var order = Array(cases.indices)
        var rng = SeededGenerator(seed: seed).derived("validation-cases", fold)
        // Our own Fisher-Yates, as for the folds: Swift's shuffle may change between releases.
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let held = Set(order.prefix(count))
        let slices = cases.indices.filter(held.contains).map { index in
            let item = cases[index]
            return ValidationSlice(caseID: item.info.id, image: item.images[item.label.sliceIndex], label: item.label)
        }
        let size = cases.first?.sliceSize ?? SliceSize(ny: 0, nx: 0)
        return (TrainingView(fold: fold, cases: cases.indices.filter { !held.contains($0) }.map { cases[$0] }),
                ValidationSet(slices: slices, sliceSize: size))
    }
}
