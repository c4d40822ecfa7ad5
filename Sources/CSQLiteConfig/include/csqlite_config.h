#ifndef CSQLITE_CONFIG_H
#define CSQLITE_CONFIG_H

/// Configures the process's SQLite before its first connection opens:
/// multi-thread mode (GRDB already serializes every use of a connection, so SQLite's own
/// per-call connection mutex is redundant) and no memory statistics (which take a global
/// mutex on every allocation). Returns 1 when applied, 0 when SQLite was already initialized.
int afterdesk_sqlite_configure(void);



/// Stops glibc from returning the top of the heap to the kernel after every large free: SQLite's
/// statement savepoints free and re-allocate on each write statement, and the trim-then-grow cycle
/// cost a brk system call per statement. Returns 1 when applied.
int afterdesk_keep_heap(void);
#endif
