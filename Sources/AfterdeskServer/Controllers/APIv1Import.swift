import AfterdeskCore
import AfterdeskDelivery
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird

extension APIv1Controller {
    enum ImportKind { case deals, contracts, cancellations }

    /// `POST /api/v1/{deals,contracts,cancellations}/import`: the body is the file (CSV, or JSON deals with
    /// `Content-Type: application/json`), streamed to a temporary file beside the database and imported as the command
    /// line imports it; the answer is the import's summary, with every refused row (up to 1,000).
    ///
    /// A body whose `Content-Length` is over the limit is refused before any of it is read; one that arrives too slowly
    /// or for too long is refused with 408 (`BodyDeadline`).
    func importFile(_ request: Request, context: APIContext, kind: ImportKind) async throws -> Response {
        let p = context.principal
        let profileName = Self.query(request, "profile") ?? "canonical"
        guard let profile = ImportProfile.named(profileName) else {
            throw AppError(.badRequest, "profile is one of \(ImportProfile.all.map(\.name).joined(separator: ", "))")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBody {
            context.closeSoon()
            throw AppError(.contentTooLarge, "the file is larger than 512 MiB")
        }
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        let uploads = ctx.database
        try await uploads.sweepUploads(olderThan: ctx.settings.server.forgottenUpload)
        let created = try await uploads.createUpload(.api(fileExtension: json ? "json" : "csv"))
        // The upload is removed once answered, whatever the answer.
        let response: Response
        do {
            response = try await importBody(request, context: context, into: created, kind: kind, profile: profile, principal: p)
        } catch {
            try? await uploads.removeUpload(created.upload)
            throw error
        }
        try? await uploads.removeUpload(created.upload)
        return response
    }

    /// The body written to `created`, then imported while the upload is kept fresh: the summary, or why it was refused.
    private func importBody(
        _ request: Request, context: APIContext, into created: NewUpload, kind: ImportKind, profile: ImportProfile,
        principal p: Principal
    ) async throws -> Response {
        let timeouts = ctx.settings.server
        let out = created.body
        var bytes = 0
        var deadline = BodyDeadline(timeouts)
        do {
            defer { try? out.close() }
            for try await chunk in request.body {
                bytes += chunk.readableBytes
                if bytes > Self.maxBody {
                    context.closeSoon()
                    throw AppError(.contentTooLarge, "the file is larger than 512 MiB")
                }
                do { try deadline.received(chunk.readableBytes) } catch {
                    context.closeSoon()
                    throw AppError(.requestTimeout, "\(error)")
                }
                try out.write(contentsOf: chunk.readableBytesView)
            }
        }
        guard bytes > 0 else { throw AppError(.badRequest, "the body is the file to import, and it is empty") }
        let ctx = self.ctx
        // A user limited to a store imports into it only: rows without a store take it, rows of another are refused.
        let store = p.store ?? Self.query(request, "store") ?? "main"
        let allowed = p.store.map { Set([$0]) }
        let fresh = ctx.database.keepFresh(created.upload, every: timeouts.uploadTouch)
        defer { fresh.cancel() }
        let body = try await Self.run(
            kind, path: created.upload.path, profile: profile, store: store, allowedStores: allowed, ctx: ctx)
        ctx.logger.info("api import", metadata: ["user": "\(p.name)", "bytes": "\(bytes)"])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

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
