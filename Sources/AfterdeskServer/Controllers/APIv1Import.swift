import AfterdeskCore
import AfterdeskStore
import Foundation
import Hummingbird

extension APIv1Controller {
    enum ImportKind { case deals, contracts, cancellations }

    /// `POST /api/v1/{deals,contracts,cancellations}/import`: the body is the file (CSV, or JSON deals with
    /// `Content-Type: application/json`), streamed to a temporary file beside the database and imported as the command
    /// line imports it; the answer is the import's summary, with every refused row (up to 1,000).
    func importFile(_ request: Request, kind: ImportKind) async throws -> Response {
        let p: Principal
        switch try require(request, Self.importers) {
        case .success(let x): p = x
        case .failure(let r): return r.response
        }
        let profileName = Self.query(request, "profile") ?? "canonical"
        guard let profile = ImportProfile.named(profileName) else {
            return errorResponse(
                "bad_request", "profile is one of \(ImportProfile.all.map(\.name).joined(separator: ", "))", status: .badRequest)
        }
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        let folder = UploadFolder.path(ctx.database)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("api-\(UUID().uuidString)\(json ? ".json" : ".csv")")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw StoreError.io("cannot write the upload")
        }
        var bytes = 0
        do {
            defer { try? out.close() }
            for try await chunk in request.body {
                bytes += chunk.readableBytes
                if bytes > Self.maxBody { return errorResponse("too_large", "the file is larger than 512 MiB", status: .contentTooLarge) }
                try out.write(contentsOf: chunk.readableBytesView)
            }
        }
        guard bytes > 0 else { return errorResponse("bad_request", "the body is the file to import, and it is empty", status: .badRequest) }
        let ctx = self.ctx
        // A user limited to a store imports into it only: rows without a store take it, rows of another are refused.
        let store = p.store ?? Self.query(request, "store") ?? "main"
        let allowed = p.store.map { Set([$0]) }
        let result: Result<Data, any Error> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: Result { try Self.run(kind, path: path, profile: profile, store: store, allowedStores: allowed, ctx: ctx) })
            }
        }
        let body = try result.get()
        ctx.logger.info("api import", metadata: ["user": "\(p.name)", "bytes": "\(bytes)"])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The import itself (blocking work, on a thread of its own): the summary as JSON.
    static func run(
        _ kind: ImportKind, path: String, profile: ImportProfile, store: String, allowedStores: Set<String>?, ctx: ServerContext
    ) throws -> Data {
        let d = ctx.dispatcher
        let planner = Planner(menu: d.menu, warranties: d.warranties, rules: d.gate.rules)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch kind {
        case .deals:
            var options = ImportOptions(profile: profile, menu: d.menu, defaultStore: store, batchSize: 50_000, writeRejectsFile: false)
            options.planner = planner
            options.planAt = ctx.clock.now()
            options.allowedStores = allowedStores
            var summary = try ctx.database.importDeals(files: [path], options: options)
            if let failed = summary.failedFiles.first {
                throw StoreError(failed.replacingOccurrences(of: path, with: "the file"), kind: .refusedFile)
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
                ? try ctx.database.importContracts(
                    file: path, menu: d.menu, planner: planner, now: ctx.clock.now(), writeRejectsFile: false, allowedStores: allowedStores)
                : try ctx.database.importCancellations(file: path, menu: d.menu, writeRejectsFile: false, allowedStores: allowedStores)
            summary.rejects = summary.rejects.map {
                var r = $0
                r.file = "body"
                return r
            }
            return try e.encode(summary)
        }
    }
}

/// Where uploads go: `afterdesk-uploads/` beside the database.
enum UploadFolder {
    static func path(_ db: AfterdeskDatabase) -> String {
        let base = db.path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? NSTemporaryDirectory()
        return (base as NSString).appendingPathComponent("afterdesk-uploads")
    }
}
