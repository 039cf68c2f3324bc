#ifndef ZC_CEPOLL_SHIM_H
#define ZC_CEPOLL_SHIM_H
// Linux calls Glibc's Swift overlay does not expose: epoll, eventfd, accept4.
// _GNU_SOURCE is deliberately not defined here: it changes glibc's struct definitions (fd_set), and
// modules that include the same headers without it would then disagree. accept4 is declared instead.
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

static inline int zc_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }
#endif
