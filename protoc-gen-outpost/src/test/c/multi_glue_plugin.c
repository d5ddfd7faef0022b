/*
 * multi_glue_plugin.c - a plugin of the generated glue of test/multi.proto, linked against the
 * SDK (GeneratedCTest): registration refuses misuse and takes a static struct, the client stub
 * refuses to call outside outpost_serve(), and serving without a host fails.
 * Exit code: 0 when every check held, else the number of the one that failed.
 */
#include <stdio.h>

#include "test/multi.outpost.h"

static int get(void *user, const outpost_request *call, const Test__Multi__GetRequest *req,
               Test__Multi__GetResponse *resp)
{
    (void)req;
    if (user == NULL)
        return outpost_request_set_error(call, OUTPOST_CODE_INTERNAL, "no store");
    resp->value.data = user;
    resp->value.len = 1;
    return 0;
}

static const key_value_service none = {.user = NULL};
static const key_value_service store = {.user = "v", .get = get};

static int check(outpost_plugin *p)
{
    if (key_value_service_register(NULL, &store, 0) != OUTPOST_EINVAL ||
        key_value_service_register(p, NULL, 0) != OUTPOST_EINVAL)
        return 3;
    if (key_value_service_register(p, &none, 0) != OUTPOST_EINVAL) /* no handler set */
        return 4;
    if (key_value_service_register(p, &store, 0x80) != OUTPOST_EINVAL) /* an unknown flag */
        return 5;
    if (key_value_service_register(p, &store, OUTPOST_METHOD_QUICK) != 0)
        return 6;
    if (key_value_service_register(p, &store, 0) != OUTPOST_EEXIST)
        return 7;
    if (outpost_request_set_error(NULL, OUTPOST_CODE_INTERNAL, "x") != OUTPOST_EINVAL)
        return 8;
    Test__Multi__GetRequest req = TEST__MULTI__GET_REQUEST__INIT;
    Test__Multi__GetResponse *resp = &(Test__Multi__GetResponse)TEST__MULTI__GET_RESPONSE__INIT;
    outpost_answer answer;
    int rc = key_value_get_call(p, &req, 0, &resp, &answer);
    outpost_answer_clear(&answer);
    if (rc != OUTPOST_EBUSY || resp != NULL) /* not serving */
        return 9;
    if (outpost_serve(p) == 0) /* no host on fd 3 */
        return 10;
    return 0;
}

int main(void)
{
    outpost_plugin *p = outpost_plugin_new("glue", "1.0.0");
    if (p == NULL)
        return 2;
    int rc = check(p);
    outpost_plugin_free(p);
    printf("multi_glue_plugin: %d\n", rc);
    return rc;
}
