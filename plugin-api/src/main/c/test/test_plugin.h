/* test_plugin.h - what test_plugin.c and the files of its methods share. */
#ifndef OUTPOST_TEST_PLUGIN_H
#define OUTPOST_TEST_PLUGIN_H

#include "outpost.h"

/* Registers the methods that call the host (test_plugin_calls.c). Returns 0 or an SDK error. */
int add_call_methods(outpost_plugin *p);

/* Registers the ready callback of mode "ready" or "ready_fail"; 0 for other modes. */
int set_ready_mode(outpost_plugin *p, const char *mode);

/* Checks what the SDK must refuse outside outpost_serve() (before: it was not called yet);
 * returns 0 or the exit code 43. */
int check_calls_refused(outpost_plugin *p, int before);

/* The exit code after serving: rc, or 40 when an async call's callback did not run exactly once,
 * or 41 when a call failed with another error than the one outpost_serve() returned. */
int check_calls_after(int rc);

#endif
