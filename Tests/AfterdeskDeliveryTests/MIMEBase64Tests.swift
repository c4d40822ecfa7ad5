import Foundation
import Testing

@testable import AfterdeskDelivery

/// An email part's body in base64 lines (RFC 2045 §6.8): 76 characters a line, each ended by CRLF, the last too.
@Suite struct MIMEBase64Tests {
    @Test(arguments: [0, 1, 2, 3, 56, 57, 58, 114, 1_000])
    func linesAreOf76CharactersEndedByCRLFAndDecodeBackToTheText(_ length: Int) throws {
        // Letters, digits and multi-byte characters, so that base64 has `+` and `/` to write and bytes differ from
        // characters.
        let alphabet = Array("Ab9 é€\n🚗?>")
        let text = String((0..<length).map { alphabet[$0 % alphabet.count] })
        let encoded = MIME.base64Lines(text)
        guard !text.isEmpty else {
            #expect(encoded.isEmpty)
            return
        }
        #expect(encoded.hasSuffix("\r\n"))
        let lines = encoded.components(separatedBy: "\r\n").dropLast()
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect((1...76).contains(lines.last?.utf8.count ?? 0))
        #expect(lines.joined() == Data(text.utf8).base64EncodedString())
        #expect(Data(base64Encoded: lines.joined()).map { String(decoding: $0, as: UTF8.self) } == text)
    }
}
