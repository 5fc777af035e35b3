// Shim for glibc's posix_spawn extensions and wait-status macros (libc itself, no package).
// posix_spawn_file_actions_addclosefrom_np (glibc 2.34) and _addchdir_np (2.29) are declared
// only under _GNU_SOURCE, which Swift's Glibc module is built without, and WIFEXITED and
// friends are function-like macros that Swift cannot import; both are re-exposed here.
#ifndef SPARSESEG_CSPAWN_SHIM_H
#define SPARSESEG_CSPAWN_SHIM_H
#include <spawn.h>
#include <sys/wait.h>

extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

static inline int sparseseg_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

static inline int sparseseg_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

static inline int sparseseg_wifexited(int status) { return WIFEXITED(status); }
static inline int sparseseg_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int sparseseg_wtermsig(int status) { return WTERMSIG(status); }
#endif
