#ifndef ZC_CZLIB_SHIM_H
#define ZC_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros that pass the library version and struct size.
static inline int zc_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int zc_inflate_init_gzip(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);
}
#endif
