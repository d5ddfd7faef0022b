/*
 * confine_internal.h - what the confine_*.c files share; not installed, not exported.
 */
#ifndef CONFINE_INTERNAL_H
#define CONFINE_INTERNAL_H

#include <errno.h>
#include <unistd.h>

#include "confine.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define CONFINE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && defined(__AARCH64EL__) && !defined(__ILP32__)
#define CONFINE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "confine supports x86-64 and little-endian aarch64 only (its seccomp filter names the arch)"
#endif

/* A system call: its result, or the negative errno (glibc's syscall() sets errno: in a CLONE_VM
 * child that is the parent thread's, which is suspended). */
static inline long confine_sys(long nr, long a, long b, long c, long d, long e)
{
    long r = syscall(nr, a, b, c, d, e);
    return r == -1 ? -(long)errno : r;
}

#define SYS1(nr, a) confine_sys(nr, (long)(a), 0, 0, 0, 0)
#define SYS2(nr, a, b) confine_sys(nr, (long)(a), (long)(b), 0, 0, 0)
#define SYS3(nr, a, b, c) confine_sys(nr, (long)(a), (long)(b), (long)(c), 0, 0)
#define SYS4(nr, a, b, c, d) confine_sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0)
#define SYS5(nr, a, b, c, d, e) confine_sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

/* Path i of spec (checked: NUL-terminated inside the pool). */
static inline const char *confine_path_of(const struct confine_spec *spec, unsigned i)
{
    return spec->strings + spec->paths[i].offset;
}

/* Records a failed step in r: its name, error and path index (-1: none). Returns error. */
__attribute__((visibility("hidden"))) int confine_failed(struct confine_report *r, const char *step, long error,
                                                         int path);

/* Builds the Landlock ruleset of spec into *fd (-1: nothing this kernel can enforce), recording
 * what is missing in r->missing. 0, or the failed step's negative errno. */
__attribute__((visibility("hidden"))) int confine_landlock_build(const struct confine_spec *spec,
                                                                 struct confine_report *r, long *fd);

#endif
