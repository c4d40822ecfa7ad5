import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import Hummingbird
import MultipartKit

/// The F&I manager's imports (`/imports`): a deal file uploaded with its profile streams to disk beside the database,
/// is imported on a thread of its own, and its page shows the progress, then every refused row and warning.
struct ImportPagesController: Sendable {
    let ctx: ServerContext
    let pages: Pages
    /// The largest upload taken (a year of a large group's deals is well under this).
    static let maxUpload = 512 * 1024 * 1024

    /// `uploads`: the imports group whose forms' token is checked as the file streams in (`FormGuard.Token.streamed`).
    func addRoutes(to router: RouterGroup<PageContext>, uploads: RouterGroup<PageContext>) {
        router.get(RouterPath(WebPaths.imports)) { request, context -> Response in try await list(request, context: context, error: nil) }
        uploads.post(RouterPath(WebPaths.imports)) { request, context -> Response in try await upload(request, context: context) }
        router.get(RouterPath(WebPaths.importPage)) { request, context -> Response in try await show(request, context: context) }
        router.get(RouterPath(WebPaths.importRejects)) { request, context -> Response in try await rejects(request, context: context) }
    }

    func list(_ request: Request, context: PageContext, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let user = context.user
        let imports = try await ctx.database.webImports(limit: 30, visibleTo: user.principal).map { ImportsPage.Row($0, zone: zone) }
        let model = ImportsPage(
            layout: .page("Imports", for: user, current: WebPaths.imports),
            profiles: ImportProfile.all.map { .init(value: $0.name, label: ImportsPage.profileLabel($0.name)) },
            imports: imports, error: error, hasImports: !imports.isEmpty)
        return try pages.response(model, status: status)
    }

    var zone: TimeZone { ctx.dispatcher.menu.dealership.zone }

    /// The upload (its origin checked by the group's `FormGuard`): refused at once when its `Content-Length` is over
    /// the limit; the form's token must come before its file (the page puts it first), so a forged form writes
    /// nothing; only the form's own fields are kept.
    func upload(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxUpload + Multipart.overhead {
            context.closeSoon()
            return try await list(
                request, context: context, error: "The file is larger than \(Self.maxUpload / 1_048_576) MiB.", status: .contentTooLarge)
        }
        guard let type = request.headers[.contentType], let boundary = Multipart.boundary(type) else {
            return try await list(request, context: context, error: "Choose a file to upload.", status: .badRequest)
        }
        let uploads = ctx.database
        try await uploads.sweepUploads(olderThan: ctx.settings.server.forgottenUpload)
        let created = try await uploads.createUpload(.webForm)
        let temp = created.upload
        let received: Multipart.Received
        do {
            let out = created.body
            defer { try? out.close() }
            received = try await Multipart.receive(
                request, boundary: boundary, fileField: "file", fields: ["csrf", "profile"], to: out, limit: Self.maxUpload,
                timeouts: ctx.settings.server
            ) { fields in
                CSRF.matches(fields.fields["csrf"], user.session.csrf)
                    ? nil : Multipart.Refused(status: .forbidden, description: "the form's token must come before its file")
            }
        } catch let refused as Multipart.Refused {
            try? await uploads.removeUpload(temp)
            return try await refuse(request, context: context, refused)
        } catch {
            try? await uploads.removeUpload(temp)
            // The error's words may name the server's folders: the page says what to do, the log what it was.
            ctx.logger.warning("upload not received", metadata: ["user": "\(user.principal.name)", "error": "\(Swift.type(of: error))"])
            return try await list(
                request, context: context,
                error: "The upload could not be received. Try again; if it fails again, tell whoever runs Afterdesk.",
                status: .badRequest)
        }
        guard CSRF.matches(received.fields["csrf"], user.session.csrf) else {
            try? await uploads.removeUpload(temp)
            throw AppError(.forbidden, "The form had expired. Go back, reload the page and try again.")
        }
        guard let name = received.fileName, received.bytes > 0 else {
            try? await uploads.removeUpload(temp)
            return try await list(
                request, context: context, error: "Choose a file to upload: the one sent was empty.", status: .unprocessableContent)
        }
        let profile = received.fields["profile"] ?? "canonical"
        guard let importProfile = ImportProfile.named(profile) else {
            try? await uploads.removeUpload(temp)
            return try await list(request, context: context, error: "Unknown profile '\(profile)'.", status: .unprocessableContent)
        }
        return try await start(temp, fileName: name, profile: (profile, importProfile), by: user.principal, bytes: received.bytes)
    }

    /// A received upload's web import: its row (with the profile as the form named it), the file kept under the
    /// import's number, the import started; the page that follows it.
    private func start(
        _ temp: Upload, fileName name: String, profile: (named: String, profile: ImportProfile), by user: Principal, bytes: Int
    ) async throws -> Response {
        let id = try await ctx.database.createWebImport(
            userID: user.userID, fileName: name, path: "", profile: profile.named, now: ctx.clock.now())
        let path: String
        do { path = try await ctx.database.keepUpload(temp, as: "\(id)-\(Multipart.safeName(name))").path } catch {
            // The import's row says it failed rather than waiting forever for a file that was not kept.
            try? await ctx.database.removeUpload(temp)
            try? await ctx.database.updateWebImport(id: id, status: .failed, error: "the upload could not be kept", now: ctx.clock.now())
            throw error
        }
        try await ctx.database.setWebImportPath(id: id, path: path)
        ctx.logger.info("upload received", metadata: ["user": "\(user.name)", "import": "\(id)", "bytes": "\(bytes)"])
        // A user limited to some stores imports into them only: rows without a store take their one store (a user of
        // several names it on each row), rows of another are refused.
        let (home, allowed) = user.importStores(asking: nil)
        WebImportRunner(ctx: ctx).start(id: id, path: path, profile: profile.profile, store: home, allowedStores: allowed)
        return seeOther(WebPaths.importPage(id))
    }

    /// A form refused while it was read: a forged one as every forged form is; otherwise the page with the reason and
    /// the status (413, 408, 400), the connection closed soon after when the rest of the body was not read.
    private func refuse(_ request: Request, context: PageContext, _ refused: Multipart.Refused) async throws -> Response {
        context.closeSoon()
        if refused.status == .forbidden {
            throw AppError(.forbidden, "The form had expired. Go back, reload the page and try again.")
        }
        return try await list(request, context: context, error: "The upload was refused: \(refused).", status: refused.status)
    }

    /// The upload of the path, when the user may see it: an upload they may not see does not exist for them (404).
    func row(_ context: PageContext, user: Principal) async throws -> WebImportRow {
        guard let id = context.parameters.get("id", as: Int64.self), let row = try await ctx.database.webImport(id: id, visibleTo: user)
        else {
            throw AppError(.notFound, "There is no such import.")
        }
        return row
    }

    func show(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        var row = try await row(context, user: user.principal)
        if let rows = ImportService.rowsRead.withLock({ $0[row.id] }) { row.rowsRead = rows }
        return try pages.response(ImportPage(row, layout: .page("Import \(row.id)", for: user, current: WebPaths.imports), zone: zone))
    }

    func rejects(_ request: Request, context: PageContext) async throws -> Response {
        let user = context.user
        let row = try await row(context, user: user.principal)
        let summary = row.summary.flatMap { try? JSONDecoder().decode(ImportSummary.self, from: Data($0.utf8)) }
        guard let file = summary?.rejectsFiles.first, let data = FileManager.default.contents(atPath: file) else {
            throw AppError(.notFound, "This import refused no rows, so there is no rejects file.")
        }
        let base = (row.fileName as NSString).deletingPathExtension.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(base.isEmpty ? "import" : base).rejects.csv\"",
            ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Runs an upload's import on a thread of its own (an import is blocking work, kept off the server's threads): the
/// workflows' `ImportService.startUpload`, counted and logged here.
struct WebImportRunner: Sendable {
    let ctx: ServerContext
    func start(id: Int64, path: String, profile: ImportProfile, store: String, allowedStores: Set<String>?) {
        let ctx = self.ctx
        let d = ctx.dispatcher
        let service = ImportService(database: ctx.database, menu: d.menu, planner: d.planner)
        let deals = ImportService.Deals(
            files: [path], profile: profile, store: store, allowedStores: allowedStores, writeRejectsFile: true)
        service.startUpload(id: id, deals: deals, clock: ctx.clock) { result in
            switch result {
            case .success(let summary):
                ctx.metrics.imported(rows: summary.read, refused: summary.rejected)
                ctx.logger.info(
                    "upload imported", metadata: ["import": "\(id)", "read": "\(summary.read)", "refused": "\(summary.rejected)"])
            case .failure:
                ctx.logger.error("upload import failed", metadata: ["import": "\(id)"])
            }
        }
    }
}
