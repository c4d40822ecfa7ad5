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

    /// Reads every row, turning each broken one into its error, as the importer does.
    func readRecovering(_ text: String, chunk: Int = 1 << 16, maxFieldBytes: Int = 4096) -> [Result<
        (line: Int, fields: [String]), CSVError
    >] {
        let reader = CSVReader(source: BytesSource(text), chunkSize: chunk, maxRowBytes: 8192, maxFieldBytes: maxFieldBytes)
        var out: [Result<(line: Int, fields: [String]), CSVError>] = []
        while true {
            do {
                guard try reader.nextRow() else { break }
                out.append(.success((reader.rowLine, (0..<reader.fieldCount).map { reader.string($0) })))
            } catch let e as CSVError {
                out.append(.failure(e))
            } catch {
                Issue.record("\(error)")
                break
            }
        }
        return out
    }

    @Test func anUnterminatedQuoteAtTheEndCostsOnlyItsRow() throws {
        let rows = readRecovering("a,b\n1,2\n3,\"never closed\n4,5\n")
        #expect(rows.count == 4)
        if case .failure(let e) = rows[2] { #expect(e == .unterminatedQuote(line: 3)) } else { Issue.record("row 3 was read") }
        if case .success(let r) = rows[3] { #expect(r.line == 4 && r.fields == ["4", "5"]) } else { Issue.record("row 4 was lost") }
        #expect(CSVError.unterminatedQuote(line: 3).description == "line 3: a quoted field opened here is never closed")
    }

    /// The defect seen in a 400-row export: one stray quote swallowed the rows after it into one field, up to the
    /// next quoted field. Now only the row with the stray quote is refused, at any chunk size.
    @Test func aStrayQuoteSwallowsNoRows() throws {
        var text = "deal,name,notes\n"
        for i in 1...400 {
            if i == 100 {
                text += "D-\(i),\"Lopez, Maria,no closing quote\n"
                continue
            }
            text += i % 50 == 0 ? "D-\(i),\"Smith, Ann\",x\n" : "D-\(i),Plain Name,\n"
        }
        for chunk in [7, 64, 1 << 16] {
            let rows = readRecovering(text, chunk: chunk)
            #expect(rows.count == 401, "chunk \(chunk)")
            let broken = rows.enumerated().compactMap { i, r -> (Int, CSVError)? in
                if case .failure(let e) = r { return (i, e) }
                return nil
            }
            #expect(broken.map(\.1) == [.unterminatedQuote(line: 101)], "chunk \(chunk)")
            let lines = rows.compactMap {
                if case .success(let r) = $0 { return r.line }
                return nil
            }
            #expect(lines == [1] + Array(2...100) + Array(102...401), "chunk \(chunk)")
        }
    }

    /// A legitimate quoted field may span lines; the stray-quote rule leaves it alone.
    @Test func aQuotedFieldAcrossLinesStillReads() throws {
        let rows = readRecovering("a,b\n1,\"two\nlines\"\n2,x\n")
        let fields = rows.compactMap {
            if case .success(let r) = $0 { return r.fields }
            return nil
        }
        #expect(fields == [["a", "b"], ["1", "two\nlines"], ["2", "x"]])
    }

    /// A quote inside an unquoted field is a character (17" wheels), not the start of a quoted field.
    @Test func aQuoteInsideAFieldIsPlainText() throws {
        let rows = readRecovering("a,b\n17\" wheels,x\n2,y\n")
        let fields = rows.compactMap {
            if case .success(let r) = $0 { return r.fields }
            return nil
        }
        #expect(fields == [["a", "b"], ["17\" wheels", "x"], ["2", "y"]])
    }

    @Test func aFieldLongerThanTheLimitIsRefusedAlone() throws {
        let long = String(repeating: "x", count: 5_000)
        for chunk in [512, 1 << 16] {
            let rows = readRecovering("a,b\n1,\(long)\n2,\"\(long)\n3,ok\n4,ok\n", chunk: chunk)
            let lines = rows.map { r -> String in
                switch r {
                case .success(let row): return "\(row.line)"
                case .failure(let e): return "\(e)"
                }
            }
            #expect(
                lines == [
                    "1", "line 2: a field longer than 4 KB starts here (an unclosed quote?)",
                    "line 3: a quoted field opened here is never closed", "4", "5",
                ], "chunk \(chunk)")
        }
    }

    @Test func aRowLongerThanTheLimitIsReported() throws {
        let long = String(repeating: "xxxxxxxxxx,", count: 1_000)
        let rows = readRecovering("a\n\(long)\nnext\n", chunk: 512)
        #expect(rows.count == 3)
        if case .failure(let e) = rows[1] { #expect(e == .rowTooLong(line: 2, limit: 8192)) } else { Issue.record("the long row was read") }
        if case .success(let r) = rows[2] { #expect(r.line == 3 && r.fields == ["next"]) } else { Issue.record("the next row was lost") }
    }
}

/// Every CSV the project writes is opened in Excel by someone: no cell may run as a formula (OWASP CSV injection).
@Suite struct CSVWriterTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://evil.example\",\"fix\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"fix\"\")\""),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+T", "'+T"),
        ("-2+3", "'-2+3"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "\"'\r=1\""),
        ("=1,2", "\"'=1,2\""),
    ])
    func formulasAreNeutralised(value: String, written: String) {
        #expect(CSVWriter.cell(value) == written)
    }

    /// Plain numbers, signed ones too, stay numbers; ordinary text is untouched.
    @Test(arguments: ["-12", "+3.5", "-0.25", "12", "Lopez, Maria", "D-1001", "", "say \"hi\""])
    func plainValuesStayAsTheyAre(value: String) {
        let cell = CSVWriter.cell(value)
        #expect(!cell.hasPrefix("'") && !cell.hasPrefix("\"'"))
        // Read back with the project's reader, the value is the same.
        let reader = CSVReader(source: BytesSource(CSVWriter.line([value, "x"])))
        #expect((try? reader.nextRow()) == true)
        #expect(reader.string(0) == value)
    }
}
