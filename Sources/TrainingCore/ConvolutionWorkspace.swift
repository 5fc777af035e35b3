
/// Scratch buffers for the convolutions of one network: per worker thread, the im2col columns
/// of one band of x (`[Cin*kh*kw, rows*W]`) and of dy (`[Cout*kh*kw, rows*W]`), or their
/// zero-padded bands for ``DirectConvolution``; the packed weight; the direct weight
/// gradient's partials, one per task. All grown on demand and reused by every convolution that
/// holds the workspace.
///
/// With ``BLAS/threads`` above 1, a layer's tasks (bands of slices) are spread over that many
/// threads, each running single-threaded sgemm, rather than OpenBLAS splitting each (small)
/// product finely, which loses to synchronisation on a busy machine. Tasks go to whichever
/// thread is free: with one slice per thread at a time, the thread that a busy host slowed
/// would keep the others waiting at the end of every layer.
public final class ConvolutionWorkspace {
    /// Floats of im2col columns per chunk of output rows (at least one row per chunk).
    let chunkFloats: Int
    /// Output pixels per chunk at the least.
    let minimumColumns: Int
    private(set) var slots: [Slot] = []
    /// A weight packed for ``DirectConvolution``, read by every worker.
    let packed = ScratchBuffer()

    /// A workspace whose im2col chunks hold about `chunkFloats` floats and at least
    /// `minimumColumns` output pixels (whole rows). The default, 256 KiB, leaves room in a
    /// 1 MiB L2 for sgemm's packed copy of the chunk beside it: the full-resolution 16-channel
    /// layers of the U-Net ran 15-25 % faster than with 1 MiB chunks (1 thread, this machine, a
    /// sweep of 2^14 to 2^20 floats). Without the minimum, the deep layers at 8 x 8 to 32 x 32
    /// got one-row chunks and ran 20-30 % slower.
    ///
    /// `direct: false` sends every 3x3 convolution through im2col + sgemm (to compare the two
    /// paths; see ``DirectConvolution``).
    public init(chunkFloats: Int = 1 << 16, minimumColumns: Int = 256, direct: Bool = true) {
        self.chunkFloats = chunkFloats
        self.minimumColumns = minimumColumns
        self.allowsDirect = direct
    }

    /// Whether layers that suit ``DirectConvolution`` run it.
    let allowsDirect: Bool

    /// Whether a 3x3 convolution with this many output channels (or parts of an input
    /// gradient) on this width runs direct.
    func runsDirect(outputChannels: Int, width: Int) -> Bool {
        allowsDirect && DirectConvolution.suits(outputChannels: outputChannels, width: width)
    }

    /// The buffers of one worker thread.
    final class Slot {
        let columns = ScratchBuffer(), gradients = ScratchBuffer()
    }

    /// The weight-gradient partials of a backward's tasks, one after another.
    let partials = ScratchBuffer()

    /// Rows per band of a direct convolution whose bands pad `channels` planes: a slice has up
    /// to four bands (more tasks than threads, to even out their finishing times), each of
    /// 1,024 pixels at least (a band pads two rows beyond its own, and its task has a fixed
    /// cost: with four bands of 8 x 32 pixels, a 1-thread job of the quick preset, at 64 x 64
    /// and below, ran 3 % slower than with whole slices), and its padded input (about 512 KiB
    /// at most) stays in L2 while its tiles sweep it.
    func bandRows(channels: Int, height: Int, width: Int) -> Int {
        let quarter = (height + 3) / 4, minimum = (1024 + width - 1) / width
        let fitting = 2 * chunkFloats / (channels * (width + 2)) - 2
        return max(1, min(height, max(quarter, minimum), max(4, fitting)))
    }

    /// Sizes the slots for a call of `tasks` tasks and returns the number of workers.
    func prepare(tasks: Int, columns: Int, gradients: Int) -> Int {
        let workers = max(1, min(BLAS.threads, tasks))
        while slots.count < workers { slots.append(Slot()) }
        for slot in slots.prefix(workers) {
            slot.columns.reserve(columns)
            slot.gradients.reserve(gradients)
        }
        return workers
    }

    /// Calls `body(task, slot)` for each task in 0..<tasks: in order on this thread for one
    /// worker; otherwise on `workers` threads, each task on whichever is free (see
    /// ``forEachTask(_:workers:_:)``) with the slot of that thread, OpenBLAS single-threaded
    /// meanwhile.
    func forEachTask(_ tasks: Int, workers: Int, _ body: @escaping (Int, Slot) -> Void) {
        guard workers > 1 else {
            for task in 0..<tasks { body(task, slots[0]) }
            return
        }
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        let slots = self.slots
        TrainingCore.forEachTask(tasks, workers: workers) { task, worker in body(task, slots[worker]) }
    }
}
