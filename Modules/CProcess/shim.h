#ifndef ZC_CPROCESS_SHIM_H
#define ZC_CPROCESS_SHIM_H
// Process calls Glibc's Swift overlay does not expose: pidfd_open (a descriptor that becomes readable when
// a process exits), posix_spawn's chdir and closefrom file actions, and pipe2. _GNU_SOURCE is not defined (see CEpoll's shim).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int pipe2(int pipefd[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// A pipe whose ends are close-on-exec from birth: no program another thread spawns meanwhile inherits them.
static inline int zc_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static inline int zc_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

static inline int zc_wifexited(int status) { return WIFEXITED(status); }
static inline int zc_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int zc_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int zc_wtermsig(int status) { return WTERMSIG(status); }
#endif
