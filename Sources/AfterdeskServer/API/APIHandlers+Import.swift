import AfterdeskAPI
import AfterdeskCore
import AfterdeskStorage
import AfterdeskWorkflows
import Foundation
import OpenAPIRuntime

/// `POST /api/v1/{deals,contracts,cancellations}/import`: the body is the file (CSV, or JSON deals with
/// `Content-Type: application/json`), streamed to a temporary file beside the database and imported as the command line
/// imports it; the answer is the import's summary, with every refused row (up to 1,000).
///
/// A body whose `Content-Length` is over the limit is refused before any of it is read, and one that arrives too slowly
/// or for too long with 408 (`BodyDeadline`); the connection then closes (`ImportBodyGuard`).
extension APIHandlers {
    /// The largest file an import takes.
    static let maxBody = 512 * 1024 * 1024

    func importDeals(_ input: Operations.ImportDeals.Input) async throws -> Operations.ImportDeals.Output {
        let profile = try APIMapping.profile(input.query.profile)
        let file: (body: HTTPBody, json: Bool)
        switch input.body {
        case .csv(let body), .any(let body): file = (body, false)
        case .json:
            // The generated code would read a JSON body whole; the file was kept as sent instead (`RawJSONBody`).
            guard let body = RawJSONBody.current else { throw GroupWithoutAuthenticator() }
            file = (body, true)
        }
        let summary = try await importFile(file.body, json: file.json, kind: .deals, profile: profile, store: input.query.store.nonEmpty)
        return .ok(.init(body: .json(try APIMapping.decoded(summary))))
    }

    func importContracts(_ input: Operations.ImportContracts.Input) async throws -> Operations.ImportContracts.Output {
        let body: HTTPBody
        switch input.body {
        case .csv(let b), .any(let b): body = b
        }
        let summary = try await importFile(body, json: false, kind: .contracts, profile: .canonical, store: nil)
        return .ok(.init(body: .json(try APIMapping.decoded(summary))))
    }

    func importCancellations(_ input: Operations.ImportCancellations.Input) async throws -> Operations.ImportCancellations.Output {
        let body: HTTPBody
        switch input.body {
        case .csv(let b), .any(let b): body = b
        }
        let summary = try await importFile(body, json: false, kind: .cancellations, profile: .canonical, store: nil)
        return .ok(.init(body: .json(try APIMapping.decoded(summary))))
    }

    /// The body written to a fresh upload, imported, and the upload removed whatever the answer: the summary's JSON.
    private func importFile(_ body: HTTPBody, json: Bool, kind: ImportKind, profile: ImportProfile, store: String?) async throws -> Data {
        let p = try principal
        let (home, allowed) = p.importStores(asking: store)
        let uploads = ctx.database
        try await uploads.sweepUploads(olderThan: ctx.settings.server.forgottenUpload)
        let created = try await uploads.createUpload(.api(fileExtension: json ? "json" : "csv"))
        do {
            let bytes = try await write(body, to: created.body)
            guard bytes > 0 else { throw AppError(.badRequest, "the body is the file to import, and it is empty") }
            // A user limited to some stores imports into them only: rows without a store take theirs (or the one named), rows of
            // another are refused.
            let fresh = uploads.keepFresh(created.upload, every: ctx.settings.server.uploadTouch)
            defer { fresh.cancel() }
            let summary = try await Self.run(
                kind, path: created.upload.path, profile: profile, store: home, allowedStores: allowed,
                ctx: ctx)
            ctx.logger.info("api import", metadata: ["user": "\(p.name)", "bytes": "\(bytes)"])
            try? await uploads.removeUpload(created.upload)
            return summary
        } catch {
            try? await uploads.removeUpload(created.upload)
            throw error
        }
    }

    /// Streams the body to `out`, refusing one over `maxBody` (413) or too slow (408): the bytes written.
    private func write(_ body: HTTPBody, to out: FileHandle) async throws -> Int {
        defer { try? out.close() }
        var bytes = 0
        var deadline = BodyDeadline(ctx.settings.server)
        for try await chunk in body {
            bytes += chunk.count
            guard bytes <= Self.maxBody else { throw AppError(.contentTooLarge, "the file is larger than 512 MiB") }
            do { try deadline.received(chunk.count) } catch { throw AppError(.requestTimeout, "\(error)") }
            try chunk.withUnsafeBytes { try out.write(contentsOf: $0) }
        }
        return bytes
    }
}
