/* fixture.h - the itests fixture plugin: modes that talk the protocol without the SDK. */
#ifndef OUTPOST_FIXTURE_H
#define OUTPOST_FIXTURE_H

/* Each runs one raw mode to its end and returns the process exit code. */
int raw_ignore_term(void);
int raw_bad_version(void);
int raw_garbage(void);
int raw_oversize(void);
int raw_wrong_ids(void);
int raw_partial_frame(void);
int raw_close_socket(void);
int raw_chatty(void);

/* Sleeps until a signal ends the process (the modes that the host must kill). */
void sleep_forever(void) __attribute__((noreturn));

#endif
