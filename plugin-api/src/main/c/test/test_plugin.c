/*
 * test_plugin.c - the plugin the SDK tests spawn: one method per SDK feature.
 * Exit code: 0 when outpost_serve() returned 0, else 10 + the negated error code.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outpost.h"

static int echo(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload_ref(resp, data, len);
}

static int copy(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload(resp, data, len);
}

/* Reads the payload as a decimal number. */
static unsigned long number(const outpost_request *req)
{
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char text[32] = "";
    memcpy(text, data, len < sizeof text - 1 ? len : sizeof text - 1);
    return strtoul(text, NULL, 10);
}

/* Answers payload-many bytes, byte i being i % 251. */
static int alloc(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    unsigned long n = number(req);
    unsigned char *out = outpost_response_alloc(resp, n);
    if (out == NULL)
        return -1;
    for (unsigned long i = 0; i < n; i++)
        out[i] = (unsigned char)(i % 251);
    return 0;
}

static int fail(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req, (void)resp;
    return -1;
}

static int error(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "bad %s", "payload");
    return 0;
}

static int log_it(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    outpost_request_payload(req, &len);
    if (outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "logged %zu bytes", len) != 0)
        return -1;
    return echo(user, req, resp);
}

static int config(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *key = outpost_request_payload(req, &len);
    char name[128] = "";
    memcpy(name, key, len < sizeof name - 1 ? len : sizeof name - 1);
    const char *value = outpost_config_get(outpost_request_plugin(req), name);
    if (value == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "no %s", name);
    return outpost_response_set_payload(resp, value, strlen(value));
}

/* Logs "sleeping" (so the host knows the call began), then sleeps payload ms. */
static int sleep_ms(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    unsigned long ms = number(req);
    outpost_log(outpost_request_plugin(req), OUTPOST_LOG_DEBUG, "sleeping %lu ms", ms);
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

/* Sleeps payload ms without a word (no Log frame that would carry waiting answers out). */
static int pause_ms(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    unsigned long ms = number(req);
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

/* Payload "COUNT TEXT": logs TEXT COUNT times in one line (TEXT may be any bytes). */
static int log_repeat(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    unsigned long count = number(req);
    const char *sp = memchr(data, ' ', len);
    if (sp == NULL || count > 100000)
        return -1;
    size_t tlen = len - (size_t)(sp + 1 - data);
    char *line = malloc(tlen * count + 1);
    if (line == NULL)
        return -1;
    for (unsigned long i = 0; i < count; i++)
        memcpy(line + i * tlen, sp + 1, tlen);
    int rc = outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "%.*s",
                         (int)(tlen * count), line);
    free(line);
    return rc;
}

static int info(void *user, const outpost_request *req, outpost_response *resp)
{
    char text[256];
    int n = snprintf(text, sizeof text, "id=%llu service=%s method=%s timeout=%u user=%s",
                     (unsigned long long)outpost_request_id(req), outpost_request_service(req),
                     outpost_request_method(req), (unsigned)outpost_request_timeout_ms(req),
                     (const char *)user);
    return outpost_response_set_payload(resp, text, (size_t)n);
}

/* Answers the open fds below 1000 (valgrind keeps its own above), "0,1,2,3" for a clean spawn. */
static int fds(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[256] = "";
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd != dirfd(d) && fd < 1000 && n < sizeof text - 16)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", n ? "," : "", fd);
    }
    closedir(d);
    return outpost_response_set_payload(resp, text, n);
}

int main(void)
{
    static const struct {
        const char *service, *method;
        outpost_handler fn;
    } methods[] = {
        {"test", "echo", echo},    {"test", "copy", copy},   {"test", "alloc", alloc},
        {"test", "fail", fail},    {"test", "error", error}, {"test", "log", log_it},
        {"test", "config", config}, {"test", "sleep", sleep_ms}, {"other", "echo", echo},
        {"test", "info", info},    {"test", "fds", fds},     {"test", "pause", pause_ms},
        {"test", "log_repeat", log_repeat},
    };
    outpost_plugin *p = outpost_plugin_new(NULL, "1.2.3");
    if (p == NULL)
        return 2;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (outpost_plugin_add_method(p, methods[i].service, methods[i].method, methods[i].fn,
                                      "u") != 0)
            return 3;
    if (outpost_plugin_add_method(p, "test", "echo", echo, NULL) != OUTPOST_EEXIST)
        return 4;
    if (outpost_plugin_add_method_flags(p, "test", "quick", echo, NULL, 0x80) != OUTPOST_EINVAL ||
        outpost_plugin_add_method_flags(p, "test", "quick", echo, NULL, OUTPOST_METHOD_QUICK) != 0)
        return 6;
    int rc = outpost_serve(p);
    if (outpost_plugin_add_method(p, "late", "late", echo, NULL) != OUTPOST_EBUSY)
        return 5;
    outpost_plugin_free(p);
    return rc == 0 ? 0 : 10 - rc;
}
