#ifndef CSQLITE_CONFIG_H
#define CSQLITE_CONFIG_H

/// Configures the process's SQLite before its first connection opens:
/// multi-thread mode (GRDB already serializes every use of a connection, so SQLite's own
/// per-call connection mutex is redundant) and no memory statistics (which take a global
/// mutex on every allocation). Returns 1 when applied, 0 when SQLite was already initialized.
int afterdesk_sqlite_configure(void);



/// Stops glibc from returning memory to the kernel after every large free, for the whole process (the
/// `afterdesk` and `afterdesk-bench` programs, the server, the tests: it runs before the first connection opens).
/// SQLite's statement savepoints free and re-allocate on each write statement, and the trim-then-grow cycle
/// cost a brk system call per statement; planning's arrays of a chunk (over 128 KiB) were each mapped and unmapped,
/// and every page of them faulted in and cleared again. So: blocks up to 32 MiB come from the heap (not mmap), the
/// heap grows by 64 MiB more than asked, and its top goes back to the kernel only past 1 GiB free. The price: memory
/// freed after a peak (a 1M-deal planning: about 115 MB resident) stays with the process until it exits.
/// Returns 1 when applied.
int afterdesk_keep_heap(void);
#endif
