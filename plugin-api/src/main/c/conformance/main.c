/*
 * main.c - outpost-conformance: runs the conformance cases against a plugin executable.
 *
 *   outpost-conformance [OPTIONS] EXECUTABLE [ARGS...]
 *
 * Prints "PASS name", "FAIL name: what the plugin did" or "SKIP name: why" for each case, then
 * "conformance: N passed, N failed, N skipped". Exits 0 only when every case passed, 1 when
 * one did not, 2 on a bad command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kit.h"
#include "outpost.h"

static const struct {
    const char *name;
    enum verdict (*fn)(struct kit *, char *, size_t);
} cases[] = {
    {"handshake", case_handshake},
    {"call", case_call},
    {"pipelining", case_pipelining},
    {"split-frames", case_split_frames},
    {"unknown-method", case_unknown_method},
    {"cancel", case_cancel},
    {"ping", case_ping},
    {"pre-welcome", case_pre_welcome},
    {"oversize-frame", case_oversize_frame},
    {"malformed-frame", case_malformed_frame},
    {"refusal", case_refusal},
    {"goodbye", case_goodbye},
    {"eof", case_eof},
    {"sigterm-race", case_sigterm_race},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void usage(FILE *out)
{
    fputs("usage: outpost-conformance [OPTIONS] EXECUTABLE [ARGS...]\n"
          "Plays the Outpost host (protocol 1.1) against a plugin executable, one fresh process\n"
          "per case, and prints PASS, FAIL or SKIP for each case.\n"
          "  --service S, --method M  the method the call cases call (default: the first method\n"
          "                           of the first service of the plugin's Hello)\n"
          "  --payload P              the payload of those calls (default: \"conformance\")\n"
          "  --payload-hex HEX        the payload as hex digits, for binary payloads\n"
          "  --name N                 argv[0] and OUTPOST_PLUGIN_NAME (default: the executable's\n"
          "                           file name)\n"
          "  --case NAME              runs only this case (repeatable; see --list)\n"
          "  --timeout MS             deadline of each answer (default 5000)\n"
          "  --grace MS               deadline of each exit (default 2000, the host's)\n"
          "  --verbose                copies the plugin's stdout and stderr to stderr\n"
          "  --list                   lists the cases\n"
          "  --version                prints the kit's (the C SDK's) version\n",
          out);
}

static int hex_payload(const char *hex, uint8_t **out, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return -1;
    *out = malloc(n / 2 + 1);
    if (*out == NULL)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        (*out)[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

static int positive(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0 || v > 3600000)
        return -1;
    *out = (int)v;
    return 0;
}

static int case_index(const char *name)
{
    for (size_t i = 0; i < NCASES; i++)
        if (strcmp(cases[i].name, name) == 0)
            return (int)i;
    return -1;
}

int main(int argc, char **argv)
{
    struct kit k = {.payload = (const uint8_t *)"conformance", .payload_len = 11,
                    .timeout_ms = 5000, .grace_ms = KIT_GRACE_MS};
    char chosen[NCASES] = {0};
    int any_chosen = 0, i = 1;
    uint8_t *hex = NULL;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int c;
        if (strcmp(opt, "--") == 0) {
            i++;
            break;
        } else if (strcmp(opt, "--list") == 0) {
            for (size_t j = 0; j < NCASES; j++)
                puts(cases[j].name);
            return 0;
        } else if (strcmp(opt, "--version") == 0) {
            printf("outpost-conformance %s\n", outpost_version_string());
            return 0;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(opt, "--verbose") == 0 || strcmp(opt, "-v") == 0) {
            k.verbose = 1;
            continue;
        }
        if (val == NULL) {
            fprintf(stderr, "outpost-conformance: %s needs a value\n", opt);
            return 2;
        }
        i++;
        if (strcmp(opt, "--service") == 0) {
            k.service = val;
        } else if (strcmp(opt, "--method") == 0) {
            k.method = val;
        } else if (strcmp(opt, "--payload") == 0) {
            k.payload = (const uint8_t *)val;
            k.payload_len = strlen(val);
        } else if (strcmp(opt, "--payload-hex") == 0) {
            free(hex);
            if (hex_payload(val, &hex, &k.payload_len) != 0) {
                fprintf(stderr, "outpost-conformance: bad hex payload: %s\n", val);
                return 2;
            }
            k.payload = hex;
        } else if (strcmp(opt, "--name") == 0) {
            k.name = val;
        } else if (strcmp(opt, "--case") == 0 && (c = case_index(val)) >= 0) {
            chosen[c] = 1;
            any_chosen = 1;
        } else if ((strcmp(opt, "--timeout") == 0 && positive(val, &k.timeout_ms) == 0) ||
                   (strcmp(opt, "--grace") == 0 && positive(val, &k.grace_ms) == 0)) {
            continue;
        } else {
            fprintf(stderr, "outpost-conformance: bad option %s %s (see --help)\n", opt, val);
            return 2;
        }
    }
    if (i >= argc || (k.service == NULL) != (k.method == NULL)) {
        usage(stderr);
        return 2;
    }
    k.exe = argv[i];
    k.args = argv + i + 1;
    if (k.name == NULL) {
        const char *slash = strrchr(k.exe, '/');
        k.name = slash ? slash + 1 : k.exe;
    }
    /* the plugin starts in a directory of its own: a relative path must not depend on ours */
    char *exe_path = strchr(k.exe, '/') ? realpath(k.exe, NULL) : NULL;
    if (exe_path != NULL)
        k.exe = exe_path;
    signal(SIGPIPE, SIG_IGN);

    int passed = 0, failed = 0, skipped = 0;
    for (size_t j = 0; j < NCASES; j++) {
        char why[600] = "";
        /* the handshake always runs first: it finds the method the call cases call */
        if (any_chosen && !chosen[j] && !(j == 0 && k.service == NULL))
            continue;
        enum verdict v = cases[j].fn(&k, why, sizeof why);
        if (any_chosen && !chosen[j])
            continue;
        if (v == PASS)
            printf("PASS %s\n", cases[j].name), passed++;
        else if (v == SKIP)
            printf("SKIP %s: %s\n", cases[j].name, why), skipped++;
        else
            printf("FAIL %s: %s\n", cases[j].name, why), failed++;
        fflush(stdout);
    }
    /* every case reaps its plugin: nothing may be left */
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) {
        printf("FAIL kit: a plugin process was left unreaped\n");
        failed++;
    }
    printf("conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    free(hex);
    free(exe_path);
    free(k.found_service);
    free(k.found_method);
    return failed == 0 && skipped == 0 && passed > 0 ? 0 : 1;
}
