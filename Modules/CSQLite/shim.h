#ifndef ZC_CSQLITE_SHIM_H
#define ZC_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast of -1 to a function pointer that Swift cannot import.
static inline sqlite3_destructor_type zc_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic; these fixed-arity wrappers make it callable from Swift.
static inline int zc_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
#endif
