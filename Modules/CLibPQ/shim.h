#ifndef ZC_CLIBPQ_SHIM_H
#define ZC_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
