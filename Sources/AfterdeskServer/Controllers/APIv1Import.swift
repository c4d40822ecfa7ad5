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
    func importFile(_ request: Request, context: AppRequestContext, kind: ImportKind) async throws -> Response {
        let p: Principal
        switch try await require(request, Self.importers) {
        case .success(let x): p = x
        case .failure(let r): return r.response
        }
        let profileName = Self.query(request, "profile") ?? "canonical"
        guard let profile = ImportProfile.named(profileName) else {
            return errorResponse(
                "bad_request", "profile is one of \(ImportProfile.all.map(\.name).joined(separator: ", "))", status: .badRequest)
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxBody {
            context.closeSoon()
            return errorResponse("too_large", "the file is larger than 512 MiB", status: .contentTooLarge)
        }
        let json = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        let timeouts = ctx.settings.server
        let folder = try UploadFolder.prepare(ctx.database, timeouts: timeouts)
        let path = (folder as NSString).appendingPathComponent("api-\(UUID().uuidString)\(json ? ".json" : ".csv")")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = try UploadFolder.create(path)
        var bytes = 0
        var deadline = BodyDeadline(timeouts)
        do {
            defer { try? out.close() }
            for try await chunk in request.body {
                bytes += chunk.readableBytes
                if bytes > Self.maxBody {
                    context.closeSoon()
                    return errorResponse("too_large", "the file is larger than 512 MiB", status: .contentTooLarge)
                }
                do { try deadline.received(chunk.readableBytes) } catch {
                    context.closeSoon()
                    return errorResponse("timeout", "\(error)", status: .requestTimeout)
                }
                try out.write(contentsOf: chunk.readableBytesView)
            }
        }
        guard bytes > 0 else { return errorResponse("bad_request", "the body is the file to import, and it is empty", status: .badRequest) }
        let ctx = self.ctx
        // A user limited to a store imports into it only: rows without a store take it, rows of another are refused.
        let store = p.store ?? Self.query(request, "store") ?? "main"
        let allowed = p.store.map { Set([$0]) }
        let fresh = UploadFolder.keepFresh(path, timeouts: timeouts)
        defer { fresh.cancel() }
        let body = try await Self.run(kind, path: path, profile: profile, store: store, allowedStores: allowed, ctx: ctx)
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

/// Where uploads go: `afterdesk-uploads/` beside the database, a folder its owner alone may enter (0700), each file
/// readable by its owner alone (0600). A temporary file (`upload-*.part`, `api-*`) untouched for the upload timeout is
/// an upload that ended without cleaning up (a process killed): removed. Several servers may share the folder, so
/// what decides is the file's modification time, which an upload in progress keeps fresh.
enum UploadFolder {
    static func path(_ db: any Storage) -> String {
        let base = db.location.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? NSTemporaryDirectory()
        return (base as NSString).appendingPathComponent("afterdesk-uploads")
    }

    /// The folder, created (or closed to others) 0700, its forgotten temporary files removed: its path.
    /// The sweep goes by the file system's time, never the application's clock: other uploads' files (of other servers
    /// too) are judged by their modification times.
    static func prepare(_ db: any Storage, timeouts: ServerTimeouts) throws -> String {
        let folder = path(db)
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
        sweep(folder, olderThan: timeouts.forgottenUpload)
        return folder
    }

    /// A new file, 0600 from its creation (never there before).
    static func create(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io("cannot write the upload") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    static func isTemporary(_ name: String) -> Bool {
        (name.hasPrefix("upload-") && name.hasSuffix(".part")) || name.hasPrefix("api-")
    }

    /// Removes the temporary files of `folder` not modified for `age` (by `now`, the file system's time, not the
    /// command's clock); returns their names.
    @discardableResult
    static func sweep(_ folder: String, olderThan age: Duration, now: Date = Date()) -> [String] {
        let limit = now.addingTimeInterval(-Double(age.components.seconds))
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where isTemporary(name) {
            let file = (folder as NSString).appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                modified < limit
            else { continue }
            if (try? FileManager.default.removeItem(atPath: file)) != nil { removed.append(name) }
        }
        return removed
    }

    /// Keeps `file`'s modification time fresh while an upload's import reads it (writing keeps it fresh before), so
    /// another server's sweep never takes it: touched every quarter of the upload timeout (at most every minute) until
    /// the task is cancelled.
    static func keepFresh(_ file: String, timeouts: ServerTimeouts) -> Task<Void, Never> {
        let every = min(timeouts.upload / 4, .seconds(60))
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file)
            }
        }
    }
}

/// At `serve`'s start: the temporary upload files a stopped server left, untouched for the upload timeout, removed;
/// how many.
public func sweepForgottenUploads(_ db: any Storage, settings: Settings) -> Int {
    let folder = UploadFolder.path(db)
    guard FileManager.default.fileExists(atPath: folder) else { return 0 }
    return UploadFolder.sweep(folder, olderThan: settings.server.forgottenUpload).count
}
