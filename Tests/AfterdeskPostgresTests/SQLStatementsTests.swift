import Testing

@testable import AfterdeskPostgres

/// The migration text split into statements as postgres-nio must run them: one at a time.
@Suite struct SQLStatementsTests {
    @Test func semicolonsInsideStringsCommentsAndBodiesDoNotSplit() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b', "we;ird" int);
            /* block; /* nested; */ still; */
            CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN RAISE EXCEPTION 'no; never'; END; $body$ LANGUAGE plpgsql;
            SELECT $1;
            -- only a comment;
            """
        let statements = SQLStatements.split(sql)
        #expect(statements.count == 3, "\(statements)")
        #expect(statements.first?.hasSuffix("CREATE TABLE a (x text DEFAULT 'a;b', \"we;ird\" int)") == true)
        #expect(statements.dropFirst().first?.contains("RAISE EXCEPTION 'no; never'; END; $body$ LANGUAGE plpgsql") == true)
        #expect(statements.last == "SELECT $1")
    }

    @Test func theBaselineSplitsIntoItsStatements() {
        let statements = SQLStatements.split(PostgresMigrations.baseline)
        // scripts/pg-schema-check.sh applies it as 69 statements, and v15 adds 2.
        #expect(statements.count == 71, "\(statements.count)")
        #expect(statements.allSatisfy { !$0.isEmpty && !$0.hasSuffix(";") })
        #expect(PostgresMigrator.hash(PostgresMigrations.baseline) != 0)
    }
}
