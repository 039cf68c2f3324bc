#ifndef ZC_CEPOLL_SHIM_H
#define ZC_CEPOLL_SHIM_H
// Glibc's Swift overlay does not expose epoll or eventfd.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
