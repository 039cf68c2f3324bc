#ifndef ZC_CEPOLL_SHIM_H
#define ZC_CEPOLL_SHIM_H
// Linux calls Glibc's Swift overlay does not expose: epoll, eventfd, accept4.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static inline int zc_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }
#endif
