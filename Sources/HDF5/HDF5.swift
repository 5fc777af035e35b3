import CHDF5
import Foundation

/// An error from the HDF5 library, naming the file and the object at fault.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    /// The HDF5 file the failing call was about.
    public let file: String
    /// The object inside the file (a group, dataset or attribute path), or "" for the file.
    public let object: String
    /// What went wrong.
    public let message: String

    public init(file: String, object: String, message: String) {
        self.file = file
        self.object = object
        self.message = message
    }

    public var description: String {
        object.isEmpty ? "\(file): \(message)" : "\(file): \(object): \(message)"
    }
}

/// The HDF5 library as a whole.
public enum HDF5Library {
    /// The linked library's version, for example (1, 10, 8).
    public static var version: (major: Int, minor: Int, release: Int) {
        _ = silenced
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return (Int(major), Int(minor), Int(release))
    }

    /// HDF5 prints its error stack to stderr on every failing call; we report errors ourselves,
    /// with the file and object named, so the automatic printing is switched off once.
    ///
    /// HDF5's own clean-up at process exit is switched off too: after a failed write (a full
    /// disk) it tried to flush the failed file once more at exit and crashed the process after
    /// our error was printed. Our files are closed explicitly; an exit leaves nothing to flush.
    static let silenced: Void = {
        H5dont_atexit()
        H5Eset_auto2(sparseseg_H5E_DEFAULT(), nil, nil)
    }()

    /// ": <the C library's reason>" when the failing call left one in errno (the sec2 driver
    /// does for a full disk), else "". Call sites set errno to 0 before the HDF5 call.
    static var cause: String { errno != 0 ? ": \(String(cString: strerror(errno)))" : "" }
}

/// A numeric element type that HDF5 can store and convert.
public protocol HDF5Scalar: Numeric, Sendable {
    /// The native HDF5 type that matches this Swift type in memory.
    static var hdf5Type: hid_t { get }
}

extension Float: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_FLOAT() } }
extension Double: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_DOUBLE() } }
extension UInt8: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_UINT8() } }
extension Int8: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_INT8() } }
extension UInt16: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_UINT16() } }
extension Int16: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_INT16() } }
extension Int32: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_INT32() } }
extension Int64: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_INT64() } }
extension Int: HDF5Scalar { public static var hdf5Type: hid_t { sparseseg_H5T_NATIVE_INT64() } }

/// An open HDF5 file. Closed when the last reference to it (or to a group in it) goes away.
///
/// The serial HDF5 library is not thread-safe: use a file, and HDF5 in general, from one
/// thread at a time.
public final class HDF5File {
    /// The path the file was opened or created at.
    public let path: String
    let id: hid_t
    private var isOpen = true

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    deinit { if isOpen { H5Fclose(id) } }

    /// File access properties: a "strong" close, so that `close()` really closes the file even
    /// while groups opened from it are still referenced.
    private static func accessProperties() -> hid_t {
        let properties = H5Pcreate(sparseseg_H5P_FILE_ACCESS())
        H5Pset_fclose_degree(properties, H5F_CLOSE_STRONG)
        return properties
    }

    /// Flushes and closes the file now; groups opened from it become unusable.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        errno = 0
        guard H5Fclose(id) >= 0 else { throw HDF5Error(file: path, object: "", message: "close failed" + HDF5Library.cause) }
    }

    /// Creates a new file at `path`, replacing any file there.
    public static func create(_ path: String) throws -> HDF5File {
        _ = HDF5Library.silenced
        let access = accessProperties()
        defer { H5Pclose(access) }
        errno = 0
        let id = H5Fcreate(path, sparseseg_H5F_ACC_TRUNC(), sparseseg_H5P_DEFAULT(), access)
        guard id >= 0 else { throw HDF5Error(file: path, object: "", message: "cannot create HDF5 file" + HDF5Library.cause) }
        return HDF5File(path: path, id: id)
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        _ = HDF5Library.silenced
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error(file: path, object: "", message: "no such file")
        }
        guard H5Fis_hdf5(path) > 0 else {
            throw HDF5Error(file: path, object: "", message: "not an HDF5 file (or truncated)")
        }
        let mode = writable ? sparseseg_H5F_ACC_RDWR() : sparseseg_H5F_ACC_RDONLY()
        let access = accessProperties()
        defer { H5Pclose(access) }
        let id = H5Fopen(path, mode, access)
        guard id >= 0 else { throw HDF5Error(file: path, object: "", message: "cannot open HDF5 file") }
        return HDF5File(path: path, id: id)
    }

    /// Writes a whole file so that `path` holds either its old content or the complete new
    /// one, never a half-written file: `body` fills a temporary file beside `path`, which is
    /// flushed, closed and renamed over `path` only if `body` succeeds.
    public static func writeAtomically(to path: String, _ body: (HDF5Group) throws -> Void) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            let file = try HDF5File.create(temporary)
            try body(file.root)
            try file.close()
            guard rename(temporary, path) == 0 else {
                throw HDF5Error(file: path, object: "", message: "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Flushes buffered writes to disk.
    public func flush() throws {
        errno = 0
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw HDF5Error(file: path, object: "", message: "flush failed" + HDF5Library.cause)
        }
    }

    /// The root group "/".
    public var root: HDF5Group {
        get throws {
            let gid = H5Gopen2(id, "/", sparseseg_H5P_DEFAULT())
            guard gid >= 0 else { throw HDF5Error(file: path, object: "/", message: "cannot open root group") }
            return HDF5Group(file: self, id: gid, path: "/")
        }
    }
}

/// A group inside an HDF5 file: named datasets, subgroups and attributes.
public final class HDF5Group {
    /// The file this group belongs to; kept alive as long as the group is.
    public let file: HDF5File
    /// The group's path inside the file, for example "/cases/case00".
    public let path: String
    let id: hid_t

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.id = id
        self.path = path
    }

    deinit { H5Gclose(id) }

    private func childPath(_ name: String) -> String {
        path == "/" ? "/" + name : path + "/" + name
    }

    private func error(_ name: String, _ message: String) -> HDF5Error {
        HDF5Error(file: file.path, object: name.isEmpty ? path : childPath(name), message: message)
    }

    /// Whether a link (group or dataset) called `name` exists directly in this group.
    public func contains(_ name: String) -> Bool {
        H5Lexists(id, name, sparseseg_H5P_DEFAULT()) > 0
    }

    /// The names of the links directly in this group, in name order.
    public func childNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw error("", "cannot list group") }
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, sparseseg_H5P_DEFAULT())
            guard length >= 0 else { throw error("", "cannot read link name \(index)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, sparseseg_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Creates a subgroup called `name`.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let gid = H5Gcreate2(id, name, sparseseg_H5P_DEFAULT(), sparseseg_H5P_DEFAULT(), sparseseg_H5P_DEFAULT())
        guard gid >= 0 else { throw error(name, "cannot create group") }
        return HDF5Group(file: file, id: gid, path: childPath(name))
    }

    /// Opens the existing subgroup called `name`.
    public func group(_ name: String) throws -> HDF5Group {
        guard contains(name) else { throw error(name, "no such group") }
        let gid = H5Gopen2(id, name, sparseseg_H5P_DEFAULT())
        guard gid >= 0 else { throw error(name, "not a group") }
        return HDF5Group(file: file, id: gid, path: childPath(name))
    }

    // MARK: Datasets

    /// Writes `values` as a new dataset called `name` with the given `shape` (row-major, last
    /// dimension fastest). With `compressed`, the data is stored in gzip-compressed chunks.
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int], compressed: Bool = false) throws {
        guard shape.reduce(1, *) == values.count else {
            throw error(name, "shape \(shape) holds \(shape.reduce(1, *)) values, given \(values.count)")
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { throw error(name, "cannot create dataspace for shape \(shape)") }
        defer { H5Sclose(space) }
        var properties = sparseseg_H5P_DEFAULT()
        if compressed && !shape.isEmpty && values.count > 0 {
            properties = H5Pcreate(sparseseg_H5P_DATASET_CREATE())
            // One chunk per leading index keeps a 3D volume readable slice by slice.
            var chunk = dims
            chunk[0] = 1
            H5Pset_chunk(properties, Int32(chunk.count), &chunk)
            H5Pset_deflate(properties, 4)
        }
        defer { if properties != sparseseg_H5P_DEFAULT() { H5Pclose(properties) } }
        let dataset = H5Dcreate2(id, name, T.hdf5Type, space, sparseseg_H5P_DEFAULT(), properties, sparseseg_H5P_DEFAULT())
        guard dataset >= 0 else { throw error(name, "cannot create dataset (does it exist already?)") }
        defer { H5Dclose(dataset) }
        errno = 0
        let status = values.withUnsafeBytes { raw in
            H5Dwrite(dataset, T.hdf5Type, sparseseg_H5S_ALL(), sparseseg_H5S_ALL(), sparseseg_H5P_DEFAULT(), raw.baseAddress)
        }
        guard status >= 0 else { throw error(name, "cannot write dataset" + HDF5Library.cause) }
    }

    /// The shape of the dataset called `name`.
    public func shape(of name: String) throws -> [Int] {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        return try datasetShape(dataset, name)
    }

    /// Reads the dataset called `name`, converting its elements to `T` (HDF5 converts between
    /// numeric types; a value out of `T`'s range is clipped by the library).
    public func read<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> (values: [T], shape: [Int]) {
        let dataset = try openDataset(name)
        defer { H5Dclose(dataset) }
        let shape = try datasetShape(dataset, name)
        let count = shape.reduce(1, *)
        var values = [T](repeating: 0, count: count)
        let status = values.withUnsafeMutableBytes { raw in
            H5Dread(dataset, T.hdf5Type, sparseseg_H5S_ALL(), sparseseg_H5S_ALL(), sparseseg_H5P_DEFAULT(), raw.baseAddress)
        }
        guard status >= 0 else { throw error(name, "cannot read dataset as \(T.self) (truncated file or wrong type?)") }
        return (values, shape)
    }

    private func openDataset(_ name: String) throws -> hid_t {
        guard contains(name) else { throw error(name, "no such dataset") }
        let dataset = H5Dopen2(id, name, sparseseg_H5P_DEFAULT())
        guard dataset >= 0 else { throw error(name, "not a dataset") }
        return dataset
    }

    private func datasetShape(_ dataset: hid_t, _ name: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw error(name, "cannot read dataspace") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw error(name, "cannot read rank") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    // MARK: Attributes

    /// Sets a numeric attribute (a scalar when `values` has one element and `vector` is false).
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], vector: Bool = true) throws {
        var dims = [hsize_t(values.count)]
        let space = (vector || values.count != 1) ? H5Screate_simple(1, &dims, nil) : H5Screate(H5S_SCALAR)
        guard space >= 0 else { throw error("@" + name, "cannot create attribute dataspace") }
        defer { H5Sclose(space) }
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        let attribute = H5Acreate2(id, name, T.hdf5Type, space, sparseseg_H5P_DEFAULT(), sparseseg_H5P_DEFAULT())
        guard attribute >= 0 else { throw error("@" + name, "cannot create attribute") }
        defer { H5Aclose(attribute) }
        let status = values.withUnsafeBytes { H5Awrite(attribute, T.hdf5Type, $0.baseAddress) }
        guard status >= 0 else { throw error("@" + name, "cannot write attribute") }
    }

    /// Sets a scalar numeric attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try setAttribute(name, [value], vector: false)
    }

    /// Sets a string attribute (stored as a fixed-length, null-terminated C string).
    public func setAttribute(_ name: String, _ value: String) throws {
        let bytes = Array(value.utf8)
        let type = H5Tcopy(sparseseg_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, max(bytes.count, 1))
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        let attribute = H5Acreate2(id, name, type, space, sparseseg_H5P_DEFAULT(), sparseseg_H5P_DEFAULT())
        guard attribute >= 0 else { throw error("@" + name, "cannot create attribute") }
        defer { H5Aclose(attribute) }
        let padded = bytes.isEmpty ? [UInt8(0)] : bytes
        let status = padded.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress) }
        guard status >= 0 else { throw error("@" + name, "cannot write attribute") }
    }

    /// Whether the group has an attribute called `name`.
    public func hasAttribute(_ name: String) -> Bool {
        H5Aexists(id, name) > 0
    }

    /// Reads a numeric attribute as an array (one element for a scalar).
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> [T] {
        guard hasAttribute(name) else { throw error("@" + name, "no such attribute") }
        let attribute = H5Aopen(id, name, sparseseg_H5P_DEFAULT())
        guard attribute >= 0 else { throw error("@" + name, "cannot open attribute") }
        defer { H5Aclose(attribute) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        var values = [T](repeating: 0, count: count)
        let status = values.withUnsafeMutableBytes { H5Aread(attribute, T.hdf5Type, $0.baseAddress) }
        guard status >= 0 else { throw error("@" + name, "cannot read attribute as \(T.self)") }
        return values
    }

    /// Reads a scalar numeric attribute.
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> T {
        let values: [T] = try attribute(name)
        guard values.count == 1 else { throw error("@" + name, "expected one value, found \(values.count)") }
        return values[0]
    }

    /// Reads a string attribute.
    public func stringAttribute(_ name: String) throws -> String {
        guard hasAttribute(name) else { throw error("@" + name, "no such attribute") }
        let attribute = H5Aopen(id, name, sparseseg_H5P_DEFAULT())
        guard attribute >= 0 else { throw error("@" + name, "cannot open attribute") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else { throw error("@" + name, "not a string attribute") }
        guard H5Tis_variable_str(type) <= 0 else {
            throw error("@" + name, "variable-length strings are not supported; store fixed-length strings")
        }
        let size = H5Tget_size(type)
        var buffer = [UInt8](repeating: 0, count: size + 1)
        guard H5Aread(attribute, type, &buffer) >= 0 else { throw error("@" + name, "cannot read attribute") }
        let end = buffer.firstIndex(of: 0) ?? size
        return String(decoding: buffer[..<end], as: UTF8.self)
    }
}
