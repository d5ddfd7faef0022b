/*
 * fixture_hostcalls.c - methods of the fixture that call the host (protocol 1.1):
 *
 *   call       "SERVICE METHOD TIMEOUT_MS PAYLOAD": one blocking outpost_call(); answers the
 *              host's payload, or an error with the host's code and "host: MESSAGE"
 *   hostflood  "N SERVICE METHOD": N outpost_call_async() at once, answered at once with how
 *              many were sent ("sent=K"); the answers are counted as they come
 *   floodcount the codes of the answers counted so far: "ok=A exhausted=B other=C pending=D"
 *   imports    the Welcome's imports among "kv slow fail back zlib", separated by spaces
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outpost.h>

#include "fixture.h"

static struct {
    long ok, exhausted, other, pending;
} flood;

/* Splits the payload "A B C REST" into at most four words (REST may hold spaces). */
static int words(const outpost_request *req, char *buf, size_t cap, char **w, int n)
{
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    if (len >= cap)
        return -1;
    memcpy(buf, data, len);
    buf[len] = '\0';
    int got = 0;
    char *p = buf;
    while (got < n && p != NULL) {
        w[got++] = p;
        if (got == n)
            break;
        p = strchr(p, ' ');
        if (p != NULL)
            *p++ = '\0';
    }
    return got;
}

static int m_call(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    char buf[4096];
    char *w[4] = {0};
    if (words(req, buf, sizeof buf, w, 4) < 3)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "SERVICE METHOD TIMEOUT [PAYLOAD]");
    const char *payload = w[3] != NULL ? w[3] : "";
    outpost_answer a;
    int rc = outpost_call(outpost_request_plugin(req), w[0], w[1], payload, strlen(payload),
                          (uint32_t)strtoul(w[2], NULL, 10), &a);
    if (rc != 0)
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "outpost_call: %s", outpost_strerror(rc));
    if (a.code != OUTPOST_CODE_OK)
        rc = outpost_response_set_error(resp, a.code, "host: %s", a.message != NULL ? a.message : "");
    else
        rc = outpost_response_set_payload(resp, a.payload, a.len);
    outpost_answer_clear(&a);
    return rc;
}

static void counted(void *user, outpost_answer *a)
{
    (void)user;
    flood.pending--;
    if (a->code == OUTPOST_CODE_OK)
        flood.ok++;
    else if (a->code == OUTPOST_CODE_RESOURCE_EXHAUSTED)
        flood.exhausted++;
    else
        flood.other++;
}

static int m_hostflood(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    char buf[512];
    char *w[3] = {0};
    if (words(req, buf, sizeof buf, w, 3) < 3)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "N SERVICE METHOD");
    long n = strtol(w[0], NULL, 10), sent = 0;
    for (long i = 0; i < n && i < 1000; i++) {
        if (outpost_call_async(outpost_request_plugin(req), w[1], w[2], "", 0, 20000, counted, NULL) != 0)
            break;
        flood.pending++;
        sent++;
    }
    char text[32];
    int len = snprintf(text, sizeof text, "sent=%ld", sent);
    return outpost_response_set_payload(resp, text, (size_t)len);
}

static int m_floodcount(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    (void)req;
    char text[128];
    int len = snprintf(text, sizeof text, "ok=%ld exhausted=%ld other=%ld pending=%ld", flood.ok,
                       flood.exhausted, flood.other, flood.pending);
    return outpost_response_set_payload(resp, text, (size_t)len);
}

static int m_imports(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    static const char *const names[] = {"kv", "slow", "fail", "back", "zlib"};
    char text[128] = "";
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (outpost_import_available(outpost_request_plugin(req), names[i]))
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", n ? " " : "", names[i]);
    return outpost_response_set_payload(resp, text, n);
}

int fixture_add_hostcalls(outpost_plugin *p)
{
    int rc = outpost_plugin_add_method(p, "fixture", "call", m_call, NULL);
    if (rc == 0)
        rc = outpost_plugin_add_method(p, "fixture", "hostflood", m_hostflood, NULL);
    if (rc == 0)
        rc = outpost_plugin_add_method(p, "fixture", "floodcount", m_floodcount, NULL);
    if (rc == 0)
        rc = outpost_plugin_add_method(p, "fixture", "imports", m_imports, NULL);
    return rc;
}
