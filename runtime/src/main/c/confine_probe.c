/*
 * confine-probe: prints what this machine offers for confining plugins, and what confine_apply()
 * reports for a full spec applied in a child (uid/gid 65534 when run as root, Landlock with the
 * system paths, seccomp DEFAULT, network NONE). Exits 0 when that child confined itself.
 *
 *     confine-probe
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"

static void show_file(const char *label, const char *path)
{
    char buf[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        printf("%-22s (%s: %s)\n", label, path, strerror(errno));
        return;
    }
    buf[n] = '\0';
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '\n' && p[1] != '\0')
            *p = ' ';
    printf("%-22s %s%s", label, buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
}

static void show_missing(uint32_t missing)
{
    if (missing == 0) {
        printf(" none");
        return;
    }
    for (uint32_t bit = 1; bit <= CONFINE_MISSING_ALL; bit <<= 1)
        if (missing & bit)
            printf(" %s", confine_missing_name(bit));
}

int main(void)
{
    struct utsname u;
    uname(&u);
    printf("%-22s %s %s\n", "kernel", u.release, u.machine);
    printf("%-22s %u.%u, spec %zu bytes, report %zu bytes\n", "confine", CONFINE_VERSION_MAJOR,
           CONFINE_VERSION_MINOR, sizeof(struct confine_spec), sizeof(struct confine_report));
    long errata = syscall(444, NULL, 0, 2UL); /* LANDLOCK_CREATE_RULESET_ERRATA */
    printf("%-22s ABI %d, errata %ld\n", "landlock", confine_landlock_abi(), errata < 0 ? -1L : errata);
    printf("%-22s %s\n", "seccomp", prctl(PR_GET_SECCOMP) >= 0 ? "available (none installed here)" : strerror(errno));
    char insn[8 * CONFINE_BPF_MAX];
    printf("%-22s default %d, compute %d instructions\n", "seccomp programs",
           confine_seccomp_program(CONFINE_SECCOMP_DEFAULT, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX),
           confine_seccomp_program(CONFINE_SECCOMP_COMPUTE, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX));
    printf("%-22s %s\n", "cgroups", access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
                                         ? "v2 (unified at /sys/fs/cgroup)"
                                         : "v1 or hybrid (no /sys/fs/cgroup/cgroup.controllers)");
    show_file("this process's cgroups", "/proc/self/cgroup");
    show_file("cgroup2 controllers", "/sys/fs/cgroup/unified/cgroup.controllers");
    show_file("max user namespaces", "/proc/sys/user/max_user_namespaces");
    show_file("ssb mitigation", "/sys/devices/system/cpu/vulnerabilities/spec_store_bypass");
    char status[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
    if (fd >= 0)
        close(fd);
    if (n > 0) {
        status[n] = '\0';
        char *eff = strstr(status, "CapEff:");
        unsigned long long caps = eff ? strtoull(eff + 7, NULL, 16) : 0;
        printf("%-22s uid %d, CapEff %#llx: CAP_SETPCAP %s, CAP_SETUID %s, CAP_SYS_RESOURCE %s\n", "caller",
               (int)geteuid(), caps, (caps >> 8) & 1 ? "yes" : "no", (caps >> 7) & 1 ? "yes" : "no",
               (caps >> 24) & 1 ? "yes" : "no");
    }

    struct confine_spec spec;
    confine_spec_init(&spec);
    if (geteuid() == 0)
        confine_spec_set_ids(&spec, 65534, 65534);
    static const char *const ro[] = {"/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf.d"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        confine_spec_add_path(&spec, CONFINE_PATH_READ, CONFINE_PATH_OPTIONAL, ro[i]);
    struct confine_report *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(confine_apply(&spec, r) == 0 ? 0 : 1);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    if (r->error != 0)
        printf("%-22s FAILED at \"%s\": %s (path %d)\n", "full spec", r->step, strerror(-r->error), r->path);
    else
        printf("%-22s applied (steps %#x), %u optional paths skipped\n", "full spec", r->done, r->skipped);
    printf("%-22s", "not available");
    show_missing(r->missing);
    printf("\n");
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
