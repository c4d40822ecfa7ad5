import Foundation
import Synchronization

/// The cases each backend passed, noted for `scripts/test.sh`, which prints the count per backend and fails when
/// PostgreSQL passed fewer than SQLite (none, when its cluster was missing): a line `backend<TAB>test` per passed case
/// in the file `AFTERDESK_TEST_TALLY` names (nothing when it is unset, as in a plain `swift test`).
public enum BackendTally {
    private static let lock = Mutex(())

    public static func passed(backend: String, test: String) throws {
        guard let path = ProcessInfo.processInfo.environment["AFTERDESK_TEST_TALLY"], !path.isEmpty else { return }
        let line = Data("\(backend)\t\(test.replacingOccurrences(of: "\t", with: " "))\n".utf8)
        try lock.withLock { _ in
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        }
    }
}
