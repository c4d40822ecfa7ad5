#!/usr/bin/env python3
"""pg-schema-compare.py SQLITE_FILE: compares a migrated SQLite database's schema with the PostgreSQL database psql
reaches (PGHOST, PGPORT, PGUSER, PGDATABASE), table by table. Fails when a SQLite table, column, named index or
trigger is missing in PostgreSQL, when a table's columns come in another order, when a column's NOT NULL differs, or
when a column's PostgreSQL type breaks the baseline's rules (Sources/AfterdeskPostgres/Schema/PostgresBaseline.swift):
instants timestamptz, dates date, flags boolean, every text column with an explicit collation ("C", or
afterdesk_nocase where SQLite says NOCASE). `-v` lists every column with both types."""
import re
import sqlite3
import subprocess
import sys

verbose = '-v' in sys.argv[1:]
paths = [a for a in sys.argv[1:] if a != '-v']
if len(paths) != 1:
    print(__doc__, file=sys.stderr)
    sys.exit(2)

lite = sqlite3.connect(f'file:{paths[0]}?immutable=1', uri=True)


def psql(sql):
    out = subprocess.run(['psql', '-X', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], check=True,
                         capture_output=True, text=True).stdout
    return [line.split('\t') for line in out.split('\n') if line]


# SQLite: tables, columns (with NOCASE read from the CREATE TABLE text), named indexes, triggers.
sqlite_tables = {}
for name, sql in lite.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                              "AND name <> 'grdb_migrations' ORDER BY name"):
    columns = []
    for _, column, declared, notnull, _, pk in lite.execute(f'PRAGMA table_info({name})'):
        nocase = re.search(r'^\s*' + re.escape(column) + r'\s[^,\n]*COLLATE NOCASE', sql, re.M | re.I) is not None
        columns.append({'name': column, 'type': declared.upper(), 'notnull': bool(notnull) or (pk > 0 and 'WITHOUT ROWID' in sql.upper()),
                        'pk': pk > 0, 'nocase': nocase})
    sqlite_tables[name] = columns
sqlite_indexes = {r[0]: r[1] for r in lite.execute(
    "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'")}
sqlite_triggers = {r[0]: r[1] for r in lite.execute("SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger'")}

# PostgreSQL: the same, from the catalog of schema public.
pg_tables = {}
for table, column, position, data_type, nullable, collation, udt in psql(
        "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, COALESCE(collation_name, ''), udt_name "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
    pg_tables.setdefault(table, []).append({'name': column, 'type': data_type, 'notnull': nullable == 'NO',
                                            'collation': collation, 'udt': udt})
pg_indexes = {r[0]: r[1] for r in psql("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'")}
pg_triggers = {r[0]: r[1] for r in psql(
    "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")}


def expected_types(column):
    """The PostgreSQL types a SQLite column may take under the baseline's rules."""
    name, declared = column['name'], column['type']
    if declared == 'BLOB':
        return {'bytea'}
    if declared == 'INTEGER':
        return {'bigint', 'integer', 'boolean'}
    if name == 'at' or name.endswith('_at'):
        return {'timestamp with time zone'}
    if name.endswith('_on') or name.endswith('_date') or name.endswith('until'):
        return {'date'}
    return {'text', 'jsonb'}


problems, warnings = [], []
print(f'{"table":22} {"SQLite":>6} {"PG":>4}  columns')
for table, columns in sqlite_tables.items():
    pg = pg_tables.get(table)
    if pg is None:
        problems.append(f'{table}: no such table in PostgreSQL')
        print(f'{table:22} {len(columns):>6} {"-":>4}  MISSING')
        continue
    by_name = {c['name']: c for c in pg}
    missing = [c['name'] for c in columns if c['name'] not in by_name]
    extra = [c['name'] for c in pg if c['name'] not in {s['name'] for s in columns}]
    order_ok = [c['name'] for c in columns if c['name'] in by_name] == [c['name'] for c in pg if c['name'] not in extra]
    status = 'same' if not missing and not extra and order_ok else 'DIFFERENT'
    print(f'{table:22} {len(columns):>6} {len(pg):>4}  {status}')
    for m in missing:
        problems.append(f'{table}.{m}: no such column in PostgreSQL')
    for e in extra:
        problems.append(f'{table}.{e}: a column SQLite does not have')
    if not order_ok:
        problems.append(f'{table}: the columns come in another order')
    for c in columns:
        p = by_name.get(c['name'])
        if p is None:
            continue
        if c['pk'] and not c['notnull'] and c['type'] != 'INTEGER':
            # A rowid table's non-integer primary key takes NULL on SQLite (a legacy quirk); PostgreSQL's never does.
            warnings.append(f'{table}.{c["name"]}: a primary key SQLite lets be NULL; NOT NULL in PostgreSQL')
        elif (c['notnull'] or c['pk']) != p['notnull']:
            problems.append(f'{table}.{c["name"]}: NOT NULL is {c["notnull"] or c["pk"]} in SQLite, {p["notnull"]} in PostgreSQL')
        allowed = expected_types(c)
        if p['type'] not in allowed:
            problems.append(f'{table}.{c["name"]}: {p["type"]} in PostgreSQL, expected one of {sorted(allowed)} for {c["type"]}')
        if p['type'] == 'text':
            wanted = 'afterdesk_nocase' if c['nocase'] else 'C'
            if p['collation'] != wanted:
                problems.append(f'{table}.{c["name"]}: collation {p["collation"] or "(the database default)"}, expected {wanted}')
        if verbose:
            collation = f' COLLATE {p["collation"]}' if p['collation'] else ''
            print(f'    {c["name"]:28} {c["type"]:8} -> {p["type"]}{collation}{"" if p["notnull"] else "  (null)"}')
# PostgreSQL's own records, which SQLite has no counterpart of (and copy-database never copies): the migrations applied
# (made by PostgresMigrator, not by a migration) and the copies made (migration p2-copies).
postgres_only = {'afterdesk_migrations', 'afterdesk_copies'}
for table in sorted(set(pg_tables) - set(sqlite_tables) - postgres_only):
    problems.append(f'{table}: a table SQLite does not have')
for index, table in sorted(sqlite_indexes.items()):
    if pg_indexes.get(index) != table:
        problems.append(f'index {index} on {table}: missing in PostgreSQL')
for index, table in sorted(pg_indexes.items()):
    if index not in sqlite_indexes and not index.endswith(('_pkey', '_key')):
        warnings.append(f'index {index} on {table}: PostgreSQL only')
for trigger, table in sorted(sqlite_triggers.items()):
    if pg_triggers.get(trigger) != table:
        problems.append(f'trigger {trigger} on {table}: missing in PostgreSQL')

print(f'\n{len(sqlite_tables)} tables and {sum(len(c) for c in sqlite_tables.values())} columns in SQLite; '
      f'{len(pg_tables)} tables and {sum(len(c) for c in pg_tables.values())} columns in PostgreSQL; '
      f'{len(sqlite_indexes)} named indexes and {len(sqlite_triggers)} triggers in SQLite, '
      f'{len(pg_indexes)} indexes (with keys) and {len(pg_triggers)} triggers in PostgreSQL')
for w in warnings:
    print(f'note: {w}')
for p in problems:
    print(f'PROBLEM: {p}')
sys.exit(1 if problems else 0)
