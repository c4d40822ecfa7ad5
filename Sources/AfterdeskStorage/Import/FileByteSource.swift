import AfterdeskCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file in chunks with read(2): constant memory however large the export.
public final class FileByteSource: ByteSource {
    private let fd: Int32
    public let size: Int64

    public init(path: String) throws(StoreError) {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError(.cannotOpen(path, String(cString: strerror(errno)))) }
        var st = stat()
        fstat(fd, &st)
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StoreError(.cannotOpen(path, "is a directory"))
        }
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StoreError(.readFailed(String(cString: strerror(errno))))
        }
    }

    /// The first bytes, to tell a CSV from a spreadsheet or binary before parsing.
    public func prefix(_ count: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: count)
        let n = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        return Array(b.prefix(max(0, n)))
    }
}
