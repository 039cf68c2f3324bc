#ifndef ZC_CLIBPQ_SHIM_H
#define ZC_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>
#include <postgresql/postgres_ext.h>

// The PG_DIAG_* field codes are character-literal macros Swift cannot import.
static const int ZC_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int ZC_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int ZC_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
#endif
