/*
 * plugin.c - a plugin built as its author builds it: in a directory of its own, against the
 * installed SDK, with  cc plugin.c $(pkg-config --cflags --libs outpost)  (test_install.sh).
 * "--check-version" compares the version of the header it was compiled with against the linked
 * library's; without it, it serves hello/echo.
 */
#include <stdio.h>
#include <string.h>

#include <outpost.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static int echo(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload_ref(resp, data, len);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--check-version") == 0) {
        const char *header = STR(OUTPOST_VERSION_MAJOR) "." STR(OUTPOST_VERSION_MINOR) "." STR(
            OUTPOST_VERSION_PATCH);
        printf("header %s (%#x), library %s (%#x)\n", header, (unsigned)OUTPOST_VERSION_HEX,
               outpost_version_string(), outpost_version());
        return outpost_version() == OUTPOST_VERSION_HEX &&
                       strcmp(outpost_version_string(), header) == 0
                   ? 0
                   : 1;
    }
    outpost_plugin *p = outpost_plugin_new(NULL, "1.0.0");
    int rc = p ? outpost_plugin_add_method(p, "hello", "echo", echo, NULL) : OUTPOST_ENOMEM;
    if (rc == 0)
        rc = outpost_serve(p);
    else
        fprintf(stderr, "plugin: %s\n", outpost_strerror(rc));
    outpost_plugin_free(p);
    return rc == 0 ? 0 : 1;
}
