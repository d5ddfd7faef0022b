/*
 * bench_plugin - the plugin of the typed and plugin-to-host benchmarks (TypedBenchmark):
 *   echo/echo      bench_echo.proto's Echo through the glue protoc-gen-outpost generates: the
 *                  request unpacked and the answer packed by protobuf-c, the typed path
 *   bench/hostloop "N": N calls of 64 bytes, one after the other, to the host's service "bench"
 *                  (method "echo"); answers with the nanoseconds they took, 8 bytes big-endian
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <outpost.h>

#include "bench_echo.outpost.h"

static int echo(void *user, const outpost_request *call, const Outpost__Bench__Blob *req, Outpost__Bench__Blob *resp)
{
    (void)user;
    (void)call;
    resp->data = req->data; /* the request is freed after the answer is packed */
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int hostloop(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char text[16] = "";
    memcpy(text, data, len < sizeof text - 1 ? len : sizeof text - 1);
    long n = strtol(text, NULL, 10);
    static const char payload[64] = "0123456789012345678901234567890123456789012345678901234567890123";
    uint64_t began = now_ns();
    for (long i = 0; i < n; i++) {
        outpost_answer a;
        int rc = outpost_call(outpost_request_plugin(req), "bench", "echo", payload, sizeof payload, 0, &a);
        if (rc != 0)
            return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "outpost_call: %s", outpost_strerror(rc));
        int failed = a.code != OUTPOST_CODE_OK || a.len != sizeof payload;
        if (failed)
            outpost_response_set_error(resp, a.code != OUTPOST_CODE_OK ? a.code : OUTPOST_CODE_INTERNAL,
                                       "call %ld: %s", i, a.message != NULL ? a.message : "wrong length");
        outpost_answer_clear(&a);
        if (failed)
            return 1;
    }
    uint64_t ns = now_ns() - began;
    uint8_t *out = outpost_response_alloc(resp, 8);
    if (out == NULL)
        return 1;
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(ns >> (56 - 8 * i));
    return 0;
}

int main(void)
{
    static const echo_service impl = {.echo = echo};
    outpost_plugin *p = outpost_plugin_new("bench", "1.0.0");
    if (p == NULL)
        return 1;
    int rc = echo_service_register(p, &impl, OUTPOST_METHOD_QUICK);
    if (rc == 0)
        rc = outpost_plugin_add_method(p, "bench", "hostloop", hostloop, NULL);
    if (rc == 0)
        rc = outpost_serve(p);
    else
        fprintf(stderr, "bench_plugin: %s\n", outpost_strerror(rc));
    outpost_plugin_free(p);
    return rc == 0 ? 0 : 1;
}
