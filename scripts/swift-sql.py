#!/usr/bin/env python3
"""swift-sql.py: the SQL of the schema migrations, read from the Swift sources (no Swift build needed).

  scripts/swift-sql.py postgres        PostgreSQL's migrations (Sources/AfterdeskPostgres/Schema), in order, each
                                       preceded by a `-- migration: NAME` line
  scripts/swift-sql.py sqlite          SQLite's migrations, every one shipped (Sources/AfterdeskSQLite/Schema), in order, the same way;
                                       v5's code step is replaced by the SQL it ends with (the unique hash indexes)
  scripts/swift-sql.py FILE NAME       the string literal `static let NAME = ...` (or the first one in `func NAME`)

A literal is read as Swift reads it: a multi-line literal loses its closing delimiter's indentation; the escapes
\\ \" \' \n \t are decoded; an interpolation \\( is refused (migration SQL is never built from values)."""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
SQLITE_DIR = os.path.join(ROOT, 'Sources', 'AfterdeskSQLite', 'Schema')
POSTGRES_DIR = os.path.join(ROOT, 'Sources', 'AfterdeskPostgres', 'Schema')


def fail(message):
    print(f'swift-sql.py: {message}', file=sys.stderr)
    sys.exit(1)


def unescape(text, where):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        n = text[i + 1] if i + 1 < len(text) else ''
        if n == '(':
            fail(f'{where}: an interpolation in migration SQL')
        mapping = {'\\': '\\', '"': '"', "'": "'", 'n': '\n', 't': '\t', '0': '\0'}
        if n not in mapping:
            fail(f'{where}: an escape \\{n} this script does not read')
        out.append(mapping[n])
        i += 2
    return ''.join(out)


def literal_after(lines, start, where):
    """The string literal that begins on or after line `start`."""
    for i in range(start, len(lines)):
        line = lines[i]
        if '"""' in line:
            body, j = [], i + 1
            while j < len(lines) and lines[j].strip() != '"""' and not lines[j].strip().startswith('"""'):
                body.append(lines[j])
                j += 1
            if j == len(lines):
                fail(f'{where}: an unterminated multi-line literal')
            indent = lines[j][:len(lines[j]) - len(lines[j].lstrip())]
            stripped = []
            for b in body:
                if b.strip() == '':
                    stripped.append('')
                elif b.startswith(indent):
                    stripped.append(b[len(indent):])
                else:
                    fail(f'{where}: line {lines.index(b) + 1} is indented less than its closing delimiter')
            return unescape('\n'.join(stripped), where)
        m = re.search(r'"((?:\\.|[^"\\])*)"', line)
        if m:
            return unescape(m.group(1), where)
    fail(f'{where}: no string literal')


def literal(path, name):
    lines = open(path, encoding='utf-8').read().split('\n')
    pattern = re.compile(r'^\s*(?:(?:public|private|fileprivate|internal)\s+)?(?:static\s+)?(?:let\s+' + re.escape(name)
                         + r'\b|func\s+' + re.escape(name) + r'\b)')
    for i, line in enumerate(lines):
        if pattern.match(line):
            return literal_after(lines, i, f'{path}: {name}')
    return None


def literal_in(directory, name):
    for file in sorted(os.listdir(directory)):
        if file.endswith('.swift'):
            found = literal(os.path.join(directory, file), name)
            if found is not None:
                return found
    fail(f'no literal {name} in {directory}')


def list_entries(path, list_name):
    """The (name, constant) pairs of `static let LIST: [(name: String, sql: String)] = [...]`."""
    text = open(path, encoding='utf-8').read()
    m = re.search(r'static let ' + re.escape(list_name) + r'\b[^=]*=\s*\[(.*?)\]\s*\n', text, re.S)
    if not m:
        fail(f'{path}: no list {list_name}')
    return re.findall(r'\(\s*"([^"]+)"\s*,\s*(\w+)\s*\)', m.group(1))


def postgres():
    path = os.path.join(POSTGRES_DIR, 'PostgresBaseline.swift')
    return [(name, literal_in(POSTGRES_DIR, constant)) for name, constant in list_entries(path, 'shipped')]


def sqlite():
    migrations = os.path.join(SQLITE_DIR, 'Migrations.swift')
    steps = [('v1-capture', literal_in(SQLITE_DIR, 'v1Capture')), ('v2-plans', literal_in(SQLITE_DIR, 'v2Plans')),
             ('v3-dispatch', literal_in(SQLITE_DIR, 'v3Dispatch')), ('v4-compact-plans', literal_in(SQLITE_DIR, 'v4CompactPlans')),
             # v5's code step creates the unique indexes (rechaining rows that share a hash first; a new database has none):
             # the SQL of restoreKeyIndexes, which creates the same indexes.
             ('v5-unique-hashes', literal_in(SQLITE_DIR, 'v5UniqueHashes') + ';\n' + literal(migrations, 'restoreKeyIndexes'))]
    steps += [(name, literal_in(SQLITE_DIR, constant)) for name, constant in list_entries(migrations, 'sqlOnly')]
    return steps


def main():
    args = sys.argv[1:]
    if args == ['postgres'] or args == ['sqlite']:
        for name, sql in (postgres() if args[0] == 'postgres' else sqlite()):
            print(f'-- migration: {name}\n{sql}\n')
    elif len(args) == 2:
        found = literal(args[0], args[1])
        if found is None:
            fail(f'no literal {args[1]} in {args[0]}')
        print(found)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
