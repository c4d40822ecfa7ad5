import AfterdeskStorage
import NIOCore
import Testing

@testable import AfterdeskPostgres

/// The lines `copy-database` writes to `COPY … FROM STDIN`: escapes, NULL, flags and bytes as PostgreSQL reads them.
@Suite struct CopyTextTests {
    private func line(_ row: [CopyValue], _ types: [String]) -> String {
        var buffer = ByteBuffer()
        CopyText.append(row, types: types, to: &buffer)
        return String(buffer: buffer)
    }

    @Test func valuesAreEscapedAndSeparatedByTabs() {
        let text = line([.integer(7), .text("a\\b\tc\nd\re"), .null, .text("plain")], ["bigint", "text", "text", "text"])
        #expect(text == "7\ta\\\\b\\tc\\nd\\re\t\\N\tplain\n")
    }

    @Test func flagsBytesInstantsAndNumbersAreWrittenAsPostgreSQLReadsThem() {
        #expect(CopyText.field(.integer(1), type: "boolean") == "t")
        #expect(CopyText.field(.integer(0), type: "boolean") == "f")
        // A flag SQLite holds as something else is passed on for PostgreSQL to refuse, never guessed.
        #expect(CopyText.field(.integer(2), type: "boolean") == "2")
        #expect(CopyText.field(.blob([0, 0xAB, 0xFF]), type: "bytea") == "\\x00abff")
        #expect(CopyText.field(.text("{}"), type: "bytea") == "\\x7b7d")
        #expect(CopyText.field(.text("2026-06-02T15:00:00Z"), type: "timestamp(0) with time zone") == "2026-06-02T15:00:00Z")
        #expect(CopyText.field(.real(.infinity), type: "double precision") == "Infinity")
        #expect(CopyText.field(.real(0.25), type: "double precision") == "0.25")
        #expect(CopyText.field(.null, type: "bytea") == nil)
    }

    /// A refused row's message keeps what and where, never the value, however the server quotes it.
    @Test func aRefusedRowsMessageLosesEveryQuotedValue() {
        #expect(
            PostgresStorage.withoutQuotedValues(#"invalid input syntax for type date: "2026-13-01""#)
                == #"invalid input syntax for type date: "…""#)
        #expect(
            PostgresStorage.withoutQuotedValues(#"value "5125550123" is out of range for type integer"#)
                == #"value "…" is out of range for type integer"#)
        #expect(PostgresStorage.withoutQuotedValues(#"cut "maria@exam"#) == #"cut "…""#)
        #expect(PostgresStorage.withoutQuotedValues("no value here") == "no value here")
    }

    /// Afterdesk's tables are the ones its migrations create: all 38 of SQLite's, none of PostgreSQL's own two.
    @Test func afterdesksTablesAreTheMigrationsOwn() {
        #expect(CopyCatalog.afterdeskTables.count == 38)
        #expect(CopyCatalog.afterdeskTables.isDisjoint(with: CopyCatalog.ownTables))
        #expect(CopyCatalog.afterdeskTables.isSuperset(of: ["deals", "opt_outs", "opt_out_state", "touches", "outbox", "users"]))
    }
}
