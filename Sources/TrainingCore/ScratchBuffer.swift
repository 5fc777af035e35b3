/// A manually allocated Float buffer: scratch shared across threads by raw pointer, which
/// Swift arrays (with their exclusivity checks) cannot be.
final class ScratchBuffer {
    private(set) var pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var capacity = 1

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
}
