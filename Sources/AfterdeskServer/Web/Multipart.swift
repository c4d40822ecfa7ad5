import AfterdeskDelivery
import Foundation
import Hummingbird
import MultipartKit

/// `multipart/form-data` read as it arrives: the file part written to disk chunk by chunk, the expected fields kept
/// (at most 4 KiB each), anything else refused.
enum Multipart {
    struct Received: Sendable {
        var fields: [String: String] = [:]
        var fileName: String?
        var bytes = 0
    }

    /// The boundary of a `multipart/form-data` content type.
    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for part in contentType.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                let b = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return b.isEmpty || b.count > 200 ? nil : b
            }
        }
        return nil
    }

    /// A `name` or `filename` parameter of a Content-Disposition header.
    static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == name {
                return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// A file name safe to put in a path: letters, digits, dot, dash and underscore, at most 80 characters.
    static func safeName(_ name: String) -> String {
        let base = (name as NSString).lastPathComponent
        let kept = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) ? $0 : "_" }.prefix(80))
        return kept.hasPrefix(".") || kept.isEmpty ? "upload" + kept : kept
    }

    /// Why a form was refused while it was read: its status and what to tell the person.
    struct Refused: Error, CustomStringConvertible {
        var status: HTTPResponse.Status
        var description: String
    }

    /// The most a non-file field may hold, and the most the headers of a part (or what comes before the first part) may
    /// take.
    static let fieldLimit = 4_096
    static let headerLimit = 8_192
    /// What a form may hold beside its file: its fields and the parts' headers.
    static let overhead = 64 * 1_024

    /// Reads the body, writing the part named `fileField` to `file` (at most `limit` bytes) and keeping the fields named in
    /// `fields` (at most `fieldLimit` bytes each, each at most once); any other field refuses the form, unkept.
    /// `beforeFile` sees the fields read so far when the file part begins, and may refuse the form before any of the
    /// file is written (the form's token goes before its file). A body that arrives too slowly or for too long is
    /// refused with 408 (`BodyDeadline`).
    static func receive(
        _ request: Request, boundary: String, fileField: String, fields: Set<String>, to file: FileHandle, limit: Int,
        timeouts: ServerTimeouts, beforeFile: @escaping (Received) -> Refused?
    ) async throws -> Received {
        let state = State()
        let parser = MultipartParser(boundary: boundary)
        state.attach(to: parser, fileField: fileField, fields: fields, limit: limit, beforeFile: beforeFile)
        var deadline = BodyDeadline(timeouts)
        var total = 0
        for try await chunk in request.body {
            total += chunk.readableBytes
            if total > limit + overhead { throw Refused(status: .contentTooLarge, description: "the form is larger than its limit") }
            do { try deadline.received(chunk.readableBytes) } catch { throw Refused(status: .requestTimeout, description: "\(error)") }
            // Fed in small slices, so a header that never ends is caught within a slice of its limit.
            var rest = chunk
            while let slice = rest.readSlice(length: min(rest.readableBytes, 1_024)), slice.readableBytes > 0 {
                state.sinceEvent += slice.readableBytes
                try parser.execute(slice)
                if let refused = state.refused { throw refused }
                if state.sinceEvent > headerLimit {
                    throw Refused(status: .contentTooLarge, description: "a part's headers are longer than \(headerLimit) bytes")
                }
            }
            if !state.pending.isEmpty {
                try file.write(contentsOf: state.pending)
                state.pending.removeAll(keepingCapacity: true)
            }
        }
        return state.received
    }

    /// The parser's state between its callbacks (one request's, never shared).
    private final class State {
        var name: String?
        var fileName: String?
        var field: [UInt8] = []
        var pending: [UInt8] = []
        var received = Received()
        var refused: Refused?
        /// Bytes fed to the parser since it last called back (a part's headers, or what precedes the first part).
        var sinceEvent = 0

        /// The parser's callbacks, keeping what the form may hold in this state.
        func attach(
            to parser: MultipartParser, fileField: String, fields: Set<String>, limit: Int, beforeFile: @escaping (Received) -> Refused?
        ) {
            parser.onHeader = { name, value in
                self.sinceEvent = 0
                guard self.refused == nil, name.lowercased() == "content-disposition" else { return }
                self.name = parameter("name", in: value)
                self.fileName = parameter("filename", in: value)
                self.refused = self.check(fileField: fileField, fields: fields, beforeFile: beforeFile)
            }
            parser.onBody = { buffer in
                self.sinceEvent = 0
                guard self.refused == nil, let name = self.name else { return }
                if name == fileField {
                    self.received.bytes += buffer.readableBytes
                    if self.received.bytes > limit {
                        self.refused = Refused(status: .contentTooLarge, description: "the file is larger than \(limit / 1_048_576) MiB")
                    } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                        self.pending.append(contentsOf: bytes)
                    }
                } else if self.field.count + buffer.readableBytes > fieldLimit {
                    self.refused = Refused(status: .contentTooLarge, description: "the field '\(name)' is longer than \(fieldLimit) bytes")
                } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                    self.field.append(contentsOf: bytes)
                }
            }
            parser.onPartComplete = {
                self.sinceEvent = 0
                if self.refused == nil, let name = self.name {
                    if name == fileField, let f = self.fileName {
                        self.received.fileName = f
                    } else if name != fileField {
                        self.received.fields[name] = String(decoding: self.field, as: UTF8.self)
                    }
                }
                self.name = nil
                self.fileName = nil
                self.field.removeAll()
            }
        }

        /// A part begins: a field the form does not have, one sent twice, or a file before what must precede it refuses
        /// the form.
        func check(fileField: String, fields: Set<String>, beforeFile: (Received) -> Refused?) -> Refused? {
            guard let name else { return Refused(status: .badRequest, description: "a part has no name") }
            if name == fileField {
                guard fileName != nil, received.fileName == nil else {
                    return Refused(status: .badRequest, description: "the form's file is sent once, as a file")
                }
                return beforeFile(received)
            }
            guard fields.contains(name) else {
                return Refused(status: .badRequest, description: "the form has no field '\(String(name.prefix(40)))'")
            }
            guard received.fields[name] == nil else {
                return Refused(status: .badRequest, description: "the field '\(name)' is sent twice")
            }
            return nil
        }
    }
}
