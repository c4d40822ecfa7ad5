#include <stdlib.h>  /* defines __GLIBC__, tested below */
#include <sqlite3.h>
#include "csqlite_config.h"

int afterdesk_sqlite_configure(void) {
    // sqlite3_config is variadic, which Swift cannot call: hence this shim.
    int a = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int b = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return a == SQLITE_OK && b == SQLITE_OK;
}

#if defined(__GLIBC__)
#include <malloc.h>
int afterdesk_keep_heap(void) {
    // 32 MiB is the largest mmap threshold glibc accepts (half its 64 MiB arena heap; it refuses more).
    return mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1 && mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1 &&
           mallopt(M_TOP_PAD, 64 * 1024 * 1024) == 1;
}
#else
int afterdesk_keep_heap(void) { return 0; }
#endif
