import Foundation

/// The bounds an image reader checks a header against before it allocates anything, so that
/// a hostile or broken header gives an error naming its field instead of a trap, an
/// overflow or an allocation the process cannot survive.
public struct ImageLimits: Sendable, Equatable {
    /// The most voxels a file may declare (every channel of a 4D NIfTI file counts).
    public var maxVoxels: Int

    /// 2^31 voxels: eight times a 1024 x 1024 x 256 volume, far above any prostate MR scan.
    public static let defaultMaxVoxels = 1 << 31

    /// Voxel spacings outside this range (mm) are refused (the messages spell it out): 1 nm to 1 km covers every imaging
    /// modality, and keeps squared distances over any grid far from Double's overflow.
    public static let spacingRange: ClosedRange<Double> = 1e-6...1e6

    /// Limits with at most `maxVoxels` voxels per file.
    public init(maxVoxels: Int = ImageLimits.defaultMaxVoxels) {
        self.maxVoxels = maxVoxels
    }

    /// The product of `size`, checked for overflow and against ``maxVoxels``; the error names
    /// `field` of `file`.
    func voxelCount(_ size: [Int], file: String, field: String) throws -> Int {
        var count = 1
        for extent in size {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw DataError(file: file, field: field, message: "\(Self.describe(size)) voxels overflow a 64-bit count")
            }
            count = product
        }
        guard count <= maxVoxels else {
            throw DataError(file: file, field: field,
                            message: "\(Self.describe(size)) is \(count) voxels, more than the limit of \(maxVoxels) (--max-voxels)")
        }
        return count
    }

    /// `count * each + extra`, or an error naming `field` of `file` when it overflows.
    static func bytes(_ count: Int, each: Int, plus extra: Int = 0, file: String, field: String) throws -> Int {
        let (product, overflow) = count.multipliedReportingOverflow(by: each)
        let (total, overflow2) = product.addingReportingOverflow(extra)
        guard !overflow, !overflow2 else {
            throw DataError(file: file, field: field, message: "\(count) elements of \(each) bytes overflow a 64-bit size")
        }
        return total
    }

    /// Checks that each spacing is finite and within ``spacingRange``.
    static func checkSpacing(_ spacing: [Double], file: String, field: String) throws {
        guard spacing.allSatisfy({ $0.isFinite && spacingRange.contains($0) }) else {
            throw DataError(file: file, field: field,
                            message: "spacing must be finite and within 1e-6 to 1e6 mm, found \(spacing)")
        }
    }

    /// Checks that `bytes` more bytes can be allocated: no more than the physical memory and,
    /// under an address-space limit (`ulimit -v`), no more than what the limit leaves. An
    /// allocation past either kills the process (a trap, or the OOM killer) instead of
    /// reporting the file at fault.
    static func checkMemory(_ bytes: Int, for what: String, file: String, field: String) throws {
        let available = availableBytes()
        guard bytes > available else { return }
        throw DataError(file: file, field: field,
                        message: "\(what) needs \(gibibytes(bytes)) of memory, more than the \(gibibytes(available)) this process can allocate")
    }

    /// The bytes the process may still allocate: the physical memory, or less under an
    /// address-space limit.
    static func availableBytes() -> Int {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        guard let limit = addressSpaceLimit() else { return physical }
        return min(physical, max(limit - (virtualSize() ?? 0), 0))
    }

    /// The soft address-space limit from /proc/self/limits (Linux), nil when unlimited or unknown.
    private static func addressSpaceLimit() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max address space") }) else { return nil }
        let fields = line.dropFirst("Max address space".count).split(separator: " ")
        return fields.first.flatMap { Int($0) }
    }

    /// The process's current virtual size from /proc/self/status (Linux), nil when unknown.
    private static func virtualSize() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
              let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kibibytes.multipliedReportingOverflow(by: 1024).overflow ? nil : kibibytes * 1024
    }

    private static func describe(_ size: [Int]) -> String { size.map(String.init).joined(separator: " x ") }

    private static func gibibytes(_ bytes: Int) -> String { String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
}
