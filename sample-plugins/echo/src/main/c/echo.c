/*
 * echo - the smallest complete Outpost plugin.
 *
 * Service "echo", method "echo": answers every call with the request's own payload.
 *
 * The host starts this program with the socket to talk on as fd 3. outpost_serve() does the
 * rest: it says Hello (listing the methods registered below), waits for the host's Welcome, then
 * calls echo_echo() for each "echo"/"echo" request until the host says Goodbye, closes the
 * socket or sends SIGTERM.
 */
#include <stdio.h>

#include <outpost.h>

/*
 * A handler. The request and its payload belong to the SDK and stay valid until the handler
 * returns; the SDK sends the answer right after, so pointing the answer at the request's own
 * bytes is allowed: the echo costs no copy at all.
 */
static int echo_echo(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user; /* the last argument of outpost_plugin_add_method_flags(): not needed here */
    size_t len;
    const void *payload = outpost_request_payload(req, &len);
    return outpost_response_set_payload_ref(resp, payload, len);
}

int main(void)
{
    /* the name is what the host sees in the Hello; the version is free-form */
    outpost_plugin *plugin = outpost_plugin_new("echo", "1.0.0");
    if (plugin == NULL) {
        fputs("echo: out of memory\n", stderr); /* stderr lines end up in the host's log */
        return 1;
    }
    /* QUICK: echo_echo never blocks, so its answers to calls that arrive together may go back
     * together, in one write: the SDK then makes one system call per batch instead of per call */
    int rc = outpost_plugin_add_method_flags(plugin, "echo", "echo", echo_echo, NULL,
                                             OUTPOST_METHOD_QUICK);
    if (rc == 0)
        rc = outpost_serve(plugin); /* 0: the host let us go; < 0: reason printed to stderr */
    else
        fprintf(stderr, "echo: %s\n", outpost_strerror(rc));
    outpost_plugin_free(plugin);
    return rc == 0 ? 0 : 1;
}
