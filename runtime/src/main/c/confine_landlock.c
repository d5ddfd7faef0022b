/*
 * confine_landlock.c - the Landlock ruleset of a spec, degraded by the kernel's ABI.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "confine_internal.h"

/* Landlock UAPI, defined here: the installed headers may predate ABI 4 (net) and 6 (scope). */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ull << 0)
#define LL_FS_WRITE_FILE (1ull << 1)
#define LL_FS_READ_FILE (1ull << 2)
#define LL_FS_READ_DIR (1ull << 3)
#define LL_FS_REMOVE_DIR (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR (1ull << 6)
#define LL_FS_MAKE_DIR (1ull << 7)
#define LL_FS_MAKE_REG (1ull << 8)
#define LL_FS_MAKE_SOCK (1ull << 9)
#define LL_FS_MAKE_FIFO (1ull << 10)
#define LL_FS_MAKE_BLOCK (1ull << 11)
#define LL_FS_MAKE_SYM (1ull << 12)
#define LL_FS_REFER (1ull << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ull << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1) /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ull << 1)               /* ABI 6 */

#define LL_FS_V1 ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_FILE (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
#define LL_FS_READ (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_FS_WRITE (LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE \
                     | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM \
                     | LL_FS_REFER | LL_FS_TRUNCATE)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

static uint64_t landlock_fs_rights(int abi)
{
    uint64_t all = LL_FS_V1;
    if (abi >= 2)
        all |= LL_FS_REFER;
    if (abi >= 3)
        all |= LL_FS_TRUNCATE;
    if (abi >= 5)
        all |= LL_FS_IOCTL_DEV;
    return all;
}

int confine_landlock_abi(void)
{
    long abi = SYS3(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

/*
 * Builds the Landlock ruleset the spec asks for into *fd (-1 when there is nothing this kernel can
 * enforce), and records what is missing in r->missing.
 */
int confine_landlock_build(const struct confine_spec *spec, struct confine_report *r, long *fd)
{
    *fd = -1;
    int want_fs = (spec->flags & CONFINE_LANDLOCK_FS) != 0;
    int want_scope = (spec->flags & CONFINE_LANDLOCK_SCOPE) != 0;
    int want_net = spec->net != CONFINE_NET_ANY;
    if (!want_fs && !want_scope && !want_net)
        return 0;
    int abi = confine_landlock_abi();
    r->landlock_abi = (uint32_t)abi;
    if (abi <= 0) {
        r->missing |= CONFINE_MISSING_LANDLOCK;
        return 0;
    }
    struct ll_ruleset_attr attr = {0, 0, 0};
    long size = (long)sizeof attr.handled_access_fs;
    if (want_fs) {
        attr.handled_access_fs = landlock_fs_rights(abi);
        if (abi < 3)
            r->missing |= CONFINE_MISSING_LANDLOCK_TRUNCATE;
        if (abi < 5)
            r->missing |= CONFINE_MISSING_LANDLOCK_IOCTL;
    }
    if (want_net) {
        if (abi >= 4) {
            attr.handled_access_net = LL_NET_BIND_TCP | (spec->net == CONFINE_NET_NONE ? LL_NET_CONNECT_TCP : 0);
            size = (long)offsetof(struct ll_ruleset_attr, scoped);
        } else {
            r->missing |= CONFINE_MISSING_LANDLOCK_NET;
        }
    }
    if (want_scope) {
        if (abi >= 6) {
            attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
            size = (long)sizeof attr;
        } else {
            r->missing |= CONFINE_MISSING_LANDLOCK_SCOPE;
        }
    }
    if (attr.handled_access_fs == 0 && attr.handled_access_net == 0 && attr.scoped == 0)
        return 0;
    long ruleset = SYS3(__NR_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0)
        return confine_failed(r, "landlock ruleset", ruleset, -1);
    for (unsigned i = 0; want_fs && i < spec->npaths; i++) {
        const struct confine_path *p = &spec->paths[i];
        if (p->kind != CONFINE_PATH_READ && p->kind != CONFINE_PATH_WRITE)
            continue;
        long pfd = SYS4(SYS_openat, AT_FDCWD, confine_path_of(spec, i), O_PATH | O_CLOEXEC, 0);
        if (pfd == -ENOENT && (p->flags & CONFINE_PATH_OPTIONAL)) {
            r->skipped++;
            continue;
        }
        if (pfd < 0) {
            SYS1(SYS_close, ruleset);
            return confine_failed(r, "landlock path", pfd, (int)i);
        }
        struct statx st;
        long e = SYS5(SYS_statx, pfd, "", AT_EMPTY_PATH, STATX_TYPE, &st);
        if (e < 0) {
            SYS1(SYS_close, pfd);
            SYS1(SYS_close, ruleset);
            return confine_failed(r, "landlock stat", e, (int)i);
        }
        uint64_t allowed = (p->kind == CONFINE_PATH_READ ? LL_FS_READ : LL_FS_WRITE) & attr.handled_access_fs;
        if (!S_ISDIR(st.stx_mode))
            allowed &= LL_FS_FILE; /* a rule on a file may only grant file rights */
        struct ll_path_beneath_attr rule = {allowed, (int32_t)pfd};
        e = SYS4(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
        SYS1(SYS_close, pfd);
        if (e < 0) {
            SYS1(SYS_close, ruleset);
            return confine_failed(r, "landlock rule", e, (int)i);
        }
    }
    *fd = ruleset;
    return 0;
}
