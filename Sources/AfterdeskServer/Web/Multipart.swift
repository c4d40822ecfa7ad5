import Foundation
import Hummingbird
import MultipartKit

/// `multipart/form-data` read as it arrives: the file part written to disk chunk by chunk, the other fields kept
/// (at most 4 KiB each).
enum Multipart {
    struct Received: Sendable {
        var fields: [String: String] = [:]
        var fileName: String?
        var bytes = 0
    }

    struct TooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "the file is larger than \(limit / 1_048_576) MiB" }
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

    /// Reads the body, writing the part named `fileField` to `path`.
    static func receive(_ request: Request, boundary: String, fileField: String, to path: String, limit: Int) async throws -> Received {
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? out.close() }
        let state = State()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" {
                state.name = parameter("name", in: value)
                state.fileName = parameter("filename", in: value)
            }
        }
        parser.onBody = { buffer in
            if state.name == fileField, state.fileName != nil {
                state.received.bytes += buffer.readableBytes
                if state.received.bytes <= limit, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                    state.pending.append(contentsOf: bytes)
                }
            } else if state.field.count < 4096, let bytes = buffer.readBytes(length: min(buffer.readableBytes, 4096 - state.field.count)) {
                state.field.append(contentsOf: bytes)
            }
        }
        parser.onPartComplete = {
            if let name = state.name {
                if name == fileField, let f = state.fileName {
                    state.received.fileName = f
                } else if state.received.fields[name] == nil {
                    state.received.fields[name] = String(decoding: state.field, as: UTF8.self)
                }
            }
            state.name = nil
            state.fileName = nil
            state.field.removeAll()
        }
        for try await chunk in request.body {
            try parser.execute(chunk)
            if state.received.bytes > limit { throw TooLarge(limit: limit) }
            if !state.pending.isEmpty {
                try out.write(contentsOf: state.pending)
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
    }
}
