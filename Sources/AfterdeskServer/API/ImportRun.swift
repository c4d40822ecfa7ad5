import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

extension APIHandlers {
    enum ImportKind { case deals, contracts, cancellations }

    /// The import itself (the storage runs its blocking work off the cooperative threads): the summary as JSON.
    static func run(
        _ kind: ImportKind, path: String, profile: ImportProfile, store: String, allowedStores: Set<String>?, ctx: ServerContext
    ) async throws -> Data {
        let d = ctx.dispatcher
        let service = ImportService(database: ctx.database, menu: d.menu, planner: d.planner)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch kind {
        case .deals:
            var summary = try await service.importDeals(
                .init(
                    files: [path], profile: profile, store: store, allowedStores: allowedStores, writeRejectsFile: false,
                    planAt: ctx.clock.now()))
            if let failed = summary.failedFiles.first {
                let message = failed.replacingOccurrences(of: path, with: "the file")
                throw StoreError(
                    message.replacingOccurrences(of: (path as NSString).lastPathComponent, with: "the file"), kind: .refusedFile)
            }
            summary.rejects = summary.rejects.map {
                var r = $0
                r.file = "body"
                return r
            }
            summary.rowWarnings = summary.rowWarnings.map {
                var w = $0
                w.file = "body"
                return w
            }
            ctx.metrics.imported(rows: summary.read, refused: summary.rejected)
            return try e.encode(summary)
        case .contracts, .cancellations:
            var summary =
                kind == .contracts
                ? try await service.importContracts(
                    file: path, now: ctx.clock.now(), writeRejectsFile: false, allowedStores: allowedStores)
                : try await service.importCancellations(file: path, writeRejectsFile: false, allowedStores: allowedStores)
            summary.rejects = summary.rejects.map {
                var r = $0
                r.file = "body"
                return r
            }
            return try e.encode(summary)
        }
    }
}

/// Uploads' timing from the server's timeouts.
extension ServerTimeouts {
    /// How often an upload being imported is touched so no sweep takes it: every quarter of the upload timeout, at
    /// most every minute.
    var uploadTouch: Duration { min(upload / 4, .seconds(60)) }
}
