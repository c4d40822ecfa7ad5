#!/usr/bin/env python3
"""pg-extended-apply.py FILE: applies a migration's SQL the way the Swift migrator has to on postgres-nio, to the
database psql would reach (PGHOST, PGPORT, PGUSER, PGDATABASE; trust authentication, as the test cluster's).

postgres-nio 1.33 speaks only PostgreSQL's extended query protocol (Parse, Bind, Execute, Sync: no simple `Query`
message), and a Parse takes one statement. So a migration's text is split into statements here, by the rule the
migrator is to use (`split` below: semicolons outside quotes, quoted identifiers, comments and dollar-quoted bodies),
and each statement is sent as its own Parse/Bind/Execute, all inside one BEGIN...COMMIT. Statements that do not split
right fail here as they would there. `--split` only prints the statements, separated by lines of `-- ;`."""
import os
import re
import socket
import struct
import sys


def split(sql):
    """The statements of `sql`: split at each `;` outside '...' strings, "..." identifiers, -- and /* */ comments and
    $tag$...$tag$ bodies; statements holding nothing but comments and space are dropped."""
    statements, start, i, n = [], 0, 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "'" or c == '"':
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # '' or "" inside: the quote itself
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif sql.startswith('--', i):
            j = sql.find('\n', i)
            i = n if j < 0 else j + 1
        elif sql.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith('/*', j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith('*/', j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            i = j
        elif c == '$' and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == '_')):
            m = re.match(r'\$([A-Za-z_][A-Za-z0-9_]*)?\$', sql[i:])
            if m:
                end = sql.find(m.group(0), i + len(m.group(0)))
                i = n if end < 0 else end + len(m.group(0))
            else:
                i += 1  # $1: a parameter
        elif c == ';':
            statements.append(sql[start:i])
            start = i = i + 1
        else:
            i += 1
    statements.append(sql[start:])
    meaningful = re.compile(r'^(\s|--[^\n]*(\n|$)|/\*.*?\*/)*$', re.S)
    return [s.strip() for s in statements if not meaningful.match(s)]


class Connection:
    def __init__(self):
        host, port = os.environ.get('PGHOST', '127.0.0.1'), int(os.environ.get('PGPORT', '5432'))
        user = os.environ.get('PGUSER') or os.environ.get('USER', 'postgres')
        database = os.environ.get('PGDATABASE', user)
        self.s = socket.create_connection((host, port))
        params = b''.join(k.encode() + b'\0' + v.encode() + b'\0' for k, v in (('user', user), ('database', database))) + b'\0'
        self.s.sendall(struct.pack('!ii', 8 + len(params), 196608) + params)
        while True:
            kind, body = self.receive()
            if kind == b'R' and struct.unpack('!i', body[:4])[0] != 0:
                sys.exit('pg-extended-apply: the server asks for a password; this script knows trust only (the test cluster)')
            if kind == b'E':
                sys.exit(f'pg-extended-apply: {self.error(body)}')
            if kind == b'Z':
                return

    def receive(self):
        head = self.exactly(5)
        return head[:1], self.exactly(struct.unpack('!i', head[1:])[0] - 4)

    def exactly(self, count):
        data = b''
        while len(data) < count:
            chunk = self.s.recv(count - len(data))
            if not chunk:
                sys.exit('pg-extended-apply: the server closed the connection')
            data += chunk
        return data

    @staticmethod
    def error(body):
        fields = dict((f[:1], f[1:].decode()) for f in body.split(b'\0') if f)
        return f"{fields.get(b'S', 'ERROR')} {fields.get(b'C', '')}: {fields.get(b'M', '')}"

    @staticmethod
    def message(kind, body):
        return kind + struct.pack('!i', len(body) + 4) + body

    def run(self, statement):
        """Parse (unnamed, no parameters), Bind, Execute, Sync: what postgres-nio sends for a query without binds.
        Returns the error's text, or None."""
        m = self.message
        self.s.sendall(m(b'P', b'\0' + statement.encode() + b'\0' + struct.pack('!h', 0))
                       + m(b'B', b'\0\0' + struct.pack('!hhh', 0, 0, 0)) + m(b'E', b'\0' + struct.pack('!i', 0)) + m(b'S', b''))
        failure = None
        while True:
            kind, body = self.receive()
            if kind == b'E':
                failure = self.error(body)
            if kind == b'Z':
                return failure


def main():
    args = sys.argv[1:]
    only_split = '--split' in args
    files = [a for a in args if a != '--split']
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    statements = split(open(files[0], encoding='utf-8').read())
    if only_split:
        print('\n-- ;\n'.join(statements))
        return
    connection = Connection()
    for statement in ['BEGIN'] + statements + ['COMMIT']:
        failure = connection.run(statement)
        if failure:
            connection.run('ROLLBACK')
            print(f'pg-extended-apply: {failure}\nin the statement:\n{statement}', file=sys.stderr)
            sys.exit(1)
    print(f'{len(statements)} statements applied one by one through the extended protocol, in one transaction')


if __name__ == '__main__':
    main()
