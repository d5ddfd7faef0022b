/*
 * counter - the sample plugin that calls the host: it keeps named counts in the host's key-value
 * store ("kv", a Java bundle's service), so that they outlive its process, and tallies data by
 * the CRC-32 that the zlib plugin computes, reached through the host. The calls use the typed
 * stubs generated from kv.proto and zlib.proto (kv_add_call(), zlib_crc32_call()); the handlers
 * are those of counter.proto's service (counter.outpost.h). None is quick: each waits for the host.
 */
#include <stdio.h>
#include <string.h>

#include <outpost.h>

#include "counter.outpost.h"
#include "kv.outpost.h"
#include "zlib.outpost.h"

#define HOST_TIMEOUT_MS 5000u
#define MAX_NAME 200

/*
 * Turns a host call that did not succeed into the answer of call: the host's code and message, or
 * INTERNAL for an SDK error. Returns 0 when the host call succeeded, else the handler's return.
 */
static int host_failed(const outpost_request *call, const char *what, int rc, const outpost_answer *a)
{
    if (rc != 0) {
        outpost_request_set_error(call, OUTPOST_CODE_INTERNAL, "%s: %s", what, outpost_strerror(rc));
        return 1;
    }
    if (a->code != OUTPOST_CODE_OK) {
        outpost_request_set_error(call, a->code, "%s: %s", what, a->message != NULL ? a->message : "");
        return 1;
    }
    return 0;
}

/* Adds delta to the count kept under key in kv; *count gets the sum. Returns 0, or 1 with the error set. */
static int kv_add(const outpost_request *call, const char *key, int64_t delta, int64_t *count)
{
    Outpost__Sample__Kv__AddRequest req = OUTPOST__SAMPLE__KV__ADD_REQUEST__INIT;
    req.key = (char *)key;
    req.delta = delta;
    Outpost__Sample__Kv__AddResponse *resp = NULL;
    outpost_answer a = {0};
    int rc = kv_add_call(outpost_request_plugin(call), &req, HOST_TIMEOUT_MS, &resp, &a);
    int failed = host_failed(call, "kv/add", rc, &a);
    if (!failed) {
        *count = resp->value;
        outpost__sample__kv__add_response__free_unpacked(resp, NULL);
    }
    outpost_answer_clear(&a);
    return failed;
}

/* The kv key of a count: "counter/NAME". Returns 0, or 1 with INVALID_ARGUMENT set. */
static int count_key(const outpost_request *call, const char *name, char *key, size_t cap)
{
    size_t len = strlen(name);
    if (len == 0 || len > MAX_NAME) {
        outpost_request_set_error(call, OUTPOST_CODE_INVALID_ARGUMENT, "a name is 1 to %d bytes, not %zu",
                                  MAX_NAME, len);
        return 1;
    }
    snprintf(key, cap, "counter/%s", name);
    return 0;
}

static int increment(void *user, const outpost_request *call, const Outpost__Sample__Counter__IncrementRequest *req,
                     Outpost__Sample__Counter__CountResponse *resp)
{
    (void)user;
    char key[MAX_NAME + 16];
    if (count_key(call, req->name, key, sizeof key) != 0)
        return 1;
    return kv_add(call, key, 1, &resp->count);
}

static int get(void *user, const outpost_request *call, const Outpost__Sample__Counter__GetRequest *req,
               Outpost__Sample__Counter__CountResponse *resp)
{
    (void)user;
    char key[MAX_NAME + 16];
    if (count_key(call, req->name, key, sizeof key) != 0)
        return 1;
    return kv_add(call, key, 0, &resp->count);
}

static int tally(void *user, const outpost_request *call, const Outpost__Sample__Counter__TallyRequest *req,
                 Outpost__Sample__Counter__TallyResponse *resp)
{
    (void)user;
    Outpost__Sample__Zlib__Crc32Request crc_req = OUTPOST__SAMPLE__ZLIB__CRC32_REQUEST__INIT;
    crc_req.data = req->data; /* the request's own bytes: nothing is copied */
    Outpost__Sample__Zlib__Crc32Response *crc = NULL;
    outpost_answer a = {0};
    int rc = zlib_crc32_call(outpost_request_plugin(call), &crc_req, HOST_TIMEOUT_MS, &crc, &a);
    int failed = host_failed(call, "zlib/crc32", rc, &a);
    outpost_answer_clear(&a);
    if (failed)
        return 1;
    resp->crc = crc->crc;
    outpost__sample__zlib__crc32_response__free_unpacked(crc, NULL);
    char key[32];
    snprintf(key, sizeof key, "tally/%08x", (unsigned)resp->crc);
    return kv_add(call, key, 1, &resp->count);
}

int main(void)
{
    static const counter_service impl = {.increment = increment, .get = get, .tally = tally};
    outpost_plugin *plugin = outpost_plugin_new("counter", "1.0.0");
    if (plugin == NULL)
        return 1;
    int rc = counter_service_register(plugin, &impl, 0);
    if (rc == 0)
        rc = outpost_serve(plugin);
    else
        fprintf(stderr, "counter: %s\n", outpost_strerror(rc));
    outpost_plugin_free(plugin);
    return rc == 0 ? 0 : 1;
}
