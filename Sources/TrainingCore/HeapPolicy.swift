import CMalloc

/// How the process's allocator treats memory that tensors free.
///
/// A training step allocates and frees some fifty activation and gradient tensors of 1-8 MiB.
/// glibc's defaults hand such blocks back to the kernel on free (per-thread arenas are unmapped,
/// the heap top is trimmed), so the next step faults every page in again (tens of MiB of page
/// faults per step: docs/training-core.md). Keeping freed memory in one
/// arena removes them; the resident set is then the step's peak working set, which the
/// process reaches anyway.
public enum HeapPolicy {
    /// Blocks below this size come from the heap (glibc's largest fixed mmap threshold).
    static let mmapThreshold: Int32 = 32 << 20

    /// Keeps freed tensors' memory resident for reuse: one malloc arena for every thread, no
    /// heap trimming, and the mmap threshold raised to 32 MiB. Call it first thing in `main`,
    /// before other threads allocate (a thread keeps the arena it first allocated from).
    public static func keepFreedMemoryResident() {
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }
}
