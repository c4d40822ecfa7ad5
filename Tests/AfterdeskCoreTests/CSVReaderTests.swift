import AfterdeskCore
import Testing

/// Reads all rows with a given chunk size: the result must not depend on where chunks end.
func readAll(_ text: String, chunk: Int = 1 << 16) throws -> [(line: Int, fields: [String])] {
    let reader = CSVReader(source: BytesSource(text), chunkSize: chunk, maxRowBytes: 4096)
    var rows: [(Int, [String])] = []
    while try reader.nextRow() {
        rows.append((reader.rowLine, (0..<reader.fieldCount).map { reader.string($0) }))
    }
    return rows
}

@Suite struct CSVReaderTests {
    @Test func readsRFC4180() throws {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,,\"multi\nline\"\r\n3,last,\n"
        let rows = try readAll(text)
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "", "multi\nline"], ["3", "last", ""]])
        #expect(rows.map(\.line) == [1, 2, 3, 5])
    }

    @Test func handlesBOMBlankLinesAndMissingFinalNewline() throws {
        let rows = try readAll("\u{FEFF}h1,h2\n\n1,2\n\r\n3,4")
        #expect(rows.map(\.fields) == [["h1", "h2"], ["1", "2"], ["3", "4"]])
        #expect(rows.map(\.line) == [1, 3, 5])
    }

    @Test func resultDoesNotDependOnChunkBoundaries() throws {
        var text = "deal,name,notes\n"
        for i in 0..<40 {
            text += "D-\(i),\"Lopez, Maria \(i)\",\"said \"\"later\"\"\nwill call\"\r\n"
            text += "E-\(i),plain,\n"
        }
        let reference = try readAll(text)
        #expect(reference.count == 81)
        for chunk in 1...23 {
            let rows = try readAll(text, chunk: chunk)
            #expect(rows.map(\.fields) == reference.map(\.fields), "chunk \(chunk)")
            #expect(rows.map(\.line) == reference.map(\.line), "chunk \(chunk)")
        }
    }

    @Test func anUnterminatedQuoteNamesItsLine() throws {
        #expect(throws: CSVError.unterminatedQuote(line: 3)) { try readAll("a,b\n1,2\n3,\"never closed\n4,5\n") }
    }

    @Test func aRowLongerThanTheLimitIsReported() throws {
        let long = String(repeating: "x", count: 10_000)
        #expect(throws: CSVError.rowTooLong(line: 2, limit: 4096)) { try readAll("a\n\(long)\n", chunk: 512) }
    }
}
