/*
 * test_utf8.c - text for protobuf string fields is valid UTF-8 and within its limit: the cutting
 * helper without sockets, then the messages of the test plugin as the host sees them.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "checks.h"
#include "utf8.h"

#define MAX 16777216u
/* The limit of a name quoted in an UNIMPLEMENTED message (NAME_QUOTE_MAX in call.c). */
#define NAME 200

#define EURO "\xe2\x82\xac"          /* U+20AC, 3 bytes */
#define GRIN "\xf0\x9f\x98\x80"      /* U+1F600, 4 bytes */
#define FFFD "\xef\xbf\xbd"          /* U+FFFD, what the helper puts for ill-formed bytes */

/*
 * The test's own idea of valid UTF-8, written apart from the SDK's: decode each code point and
 * check it is not overlong, not a surrogate and at most U+10FFFF.
 */
static int is_utf8(const void *text, size_t len)
{
    const uint8_t *s = text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n;
        if (s[i] < 0x80) {
            i++;
            continue;
        } else if ((s[i] & 0xe0) == 0xc0) {
            n = 2, cp = s[i] & 0x1f;
        } else if ((s[i] & 0xf0) == 0xe0) {
            n = 3, cp = s[i] & 0x0f;
        } else if ((s[i] & 0xf8) == 0xf0) {
            n = 4, cp = s[i] & 0x07;
        } else {
            return 0;
        }
        if (len - i < n)
            return 0;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n;
    }
    return 1;
}

/* utf8_copy() of a C string into a fresh buffer (free it); *len gets the result's length. */
static char *copied(const char *src, size_t srclen, size_t max, int more, size_t *len)
{
    char *dst = malloc(max + 1);
    if (dst != NULL) {
        memset(dst, 0x55, max + 1);
        *len = utf8_copy(dst, max, src, srclen, more);
    }
    return dst;
}

/* n copies of c followed by tail. Free it. */
static char *text_of(size_t n, char c, const char *tail)
{
    size_t tl = strlen(tail);
    char *s = malloc(n + tl + 1);
    if (s != NULL) {
        memset(s, c, n);
        memcpy(s + n, tail, tl + 1);
    }
    return s;
}

/* The checks every result must pass: valid, NUL-terminated, within max. */
static int sound(const char *out, size_t len, size_t max)
{
    return len <= max && out[len] == '\0' && is_utf8(out, len) && utf8_valid(out, len);
}

static int ends_with_mark(const char *out, size_t len)
{
    return len >= UTF8_CUT_MARK_LEN && memcmp(out + len - 3, UTF8_CUT_MARK, 3) == 0;
}

/* Names of 0, 199 and 200 bytes are kept as they are; 201 bytes are cut to 197 plus the mark. */
static void utf8_names_of_0_199_200_201_bytes(void)
{
    static const size_t sizes[] = {0, 199, 200, 201};
    for (size_t i = 0; i < 4; i++) {
        size_t n = sizes[i], len = 0;
        char *name = text_of(n, 'm', "");
        char *out = name ? copied(name, n, NAME, 0, &len) : NULL;
        int ok = out != NULL && sound(out, len, NAME);
        if (ok && n <= NAME)
            ok = len == n && memcmp(out, name, n) == 0;
        else if (ok)
            ok = len == NAME && ends_with_mark(out, len) && memcmp(out, name, NAME - 3) == 0;
        free(name);
        free(out);
        CHECK(ok);
    }
}

/*
 * A multi-byte character at every position around the cut: the result never holds part of it,
 * is at most the limit, and is the input up to a character boundary, then the mark.
 */
static void straddling(const char *ch)
{
    size_t cl = strlen(ch);
    for (size_t before = NAME - 7; before <= NAME + 1; before++) { /* all longer than NAME */
        size_t len = 0;
        char *name = text_of(before, 'a', "");
        size_t n = before + cl + 5;
        char *full = name ? malloc(n + 1) : NULL;
        if (full != NULL) {
            memcpy(full, name, before);
            memcpy(full + before, ch, cl);
            memcpy(full + before + cl, "zzzzz", 6);
        }
        char *out = full ? copied(full, n, NAME, 0, &len) : NULL;
        int ok = out != NULL && sound(out, len, NAME) && ends_with_mark(out, len);
        size_t kept = len - 3;
        /* the kept part is the input's start and ends on a boundary: before the character, or
         * after it when it fits whole */
        ok = ok && memcmp(out, full, kept) == 0 &&
             (kept <= before || kept >= before + cl) && kept <= NAME - 3;
        /* and nothing that fit was dropped: one more character would not have fit */
        ok = ok && (kept == NAME - 3 || (kept == before && before + cl > NAME - 3));
        free(name);
        free(full);
        free(out);
        CHECK(ok);
    }
}

static void utf8_a_3_byte_character_straddling_the_cut(void) { straddling(EURO); }
static void utf8_a_4_byte_character_straddling_the_cut(void) { straddling(GRIN); }

/* Ill-formed input: each maximal subpart becomes one U+FFFD, the rest is kept. */
static void utf8_invalid_bytes_are_replaced(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a\xff" "b", "a" FFFD "b"},
        {"\x80", FFFD},                                   /* a lone continuation byte */
        {"\xc0\xaf", FFFD FFFD},                          /* overlong '/' */
        {"\xe0\x80\xaf", FFFD FFFD FFFD},                 /* overlong, 3 bytes */
        {"\xed\xa0\x80", FFFD FFFD FFFD},                 /* a surrogate, U+D800 */
        {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD},        /* U+110000 */
        {"\xf5\x80", FFFD FFFD},
        {"\xe2\x82" "a", FFFD "a"},                       /* a character broken off */
        {"\xf0\x9f\x98" "a", FFFD "a"},
        {"x\xe2\x82", "x" FFFD},                          /* ... at the very end */
        {"\xc2", FFFD},
        {EURO GRIN "\xc3\xa9", EURO GRIN "\xc3\xa9"},     /* valid stays as it is */
        {"\xef\xbf\xbf", "\xef\xbf\xbf"},                 /* U+FFFF is a character */
        {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},         /* U+10FFFF too */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0, n = strlen(cases[i].in);
        char *out = copied(cases[i].in, n, 64, 0, &len);
        int ok = out != NULL && sound(out, len, 64) && len == strlen(cases[i].out) &&
                 memcmp(out, cases[i].out, len) == 0;
        ok = ok && utf8_valid(cases[i].in, n) == (strcmp(cases[i].in, cases[i].out) == 0);
        if (!ok)
            fprintf(stderr, "  case %zu\n", i);
        free(out);
        CHECK(ok);
    }
    /* a NUL is a character: kept, and counted */
    size_t len = 0;
    char *out = copied("a\0b", 3, 64, 0, &len);
    int ok = out != NULL && len == 3 && memcmp(out, "a\0b", 4) == 0;
    free(out);
    CHECK(ok);
}

/* Replacements take room: an invalid byte near the limit is cut like a character. */
static void utf8_invalid_bytes_at_the_cut(void)
{
    for (size_t before = NAME - 6; before <= NAME; before++) {
        size_t len = 0;
        char *name = text_of(before, 'a', "\xff\xfe");
        char *out = name ? copied(name, before + 2, NAME, 0, &len) : NULL;
        int ok = out != NULL && sound(out, len, NAME);
        if (ok && before + 6 <= NAME) /* both replacements fit */
            ok = len == before + 6 && memcmp(out + before, FFFD FFFD, 6) == 0;
        else if (ok)
            ok = ends_with_mark(out, len) &&
                 memcmp(out, name, before < len - 3 ? before : len - 3) == 0;
        free(name);
        free(out);
        CHECK(ok);
    }
}

/* A text that is only the start of a longer one (more): always marked, a broken-off last
 * character dropped rather than replaced. */
static void utf8_the_start_of_a_longer_text(void)
{
    size_t len = 0;
    char *out = copied("abc" "\xe2\x82", 5, 64, 1, &len);
    int ok = out != NULL && len == 6 && strcmp(out, "abc" UTF8_CUT_MARK) == 0;
    free(out);
    CHECK(ok);
    out = copied("abc", 3, 64, 1, &len);
    ok = out != NULL && strcmp(out, "abc" UTF8_CUT_MARK) == 0;
    free(out);
    CHECK(ok);
    out = copied("abcdef", 6, 5, 1, &len); /* at the limit the mark still fits */
    ok = out != NULL && strcmp(out, "ab" UTF8_CUT_MARK) == 0;
    free(out);
    CHECK(ok);
}

/* Limits smaller than the mark: what fits of the mark, never more than the limit. */
static void utf8_tiny_limits(void)
{
    for (size_t max = 0; max < 4; max++) {
        size_t len = 0;
        char *out = copied(EURO EURO, 6, max, 0, &len);
        static const char *const want[] = {"", ".", "..", "..."};
        int ok = out != NULL && sound(out, len, max) && strcmp(out, want[max]) == 0;
        free(out);
        CHECK(ok);
    }
}

/* Every limit over a text mixing all lengths and ill-formed bytes: the result is the start of
 * the whole sanitized text on a boundary, plus the mark when anything is missing. */
static void utf8_every_limit_of_a_mixed_text(void)
{
    static const char in[] = "a" EURO "\xff" GRIN "b\xc3\xa9\xe2\x82" "c" GRIN GRIN "\xed\xa0\x80"
                             "dd" EURO;
    size_t n = sizeof in - 1, whole_len = 0;
    char *whole = copied(in, n, 256, 0, &whole_len);
    CHECK(whole != NULL && sound(whole, whole_len, 256) && !ends_with_mark(whole, whole_len));
    int ok = 1;
    for (size_t max = 0; max <= whole_len + 4 && ok; max++) {
        for (int more = 0; more <= 1 && ok; more++) {
            size_t len = 0;
            char *out = copied(in, n, max, more, &len);
            ok = out != NULL && sound(out, len, max);
            if (ok && max >= whole_len && !more) {
                ok = len == whole_len && memcmp(out, whole, len) == 0;
            } else if (ok) {
                size_t mark = max < 3 ? max : 3;
                size_t kept = len - mark;
                ok = len >= mark && memcmp(out + kept, UTF8_CUT_MARK, mark) == 0 &&
                     memcmp(out, whole, kept) == 0 && kept + mark <= max &&
                     is_utf8(whole, kept); /* a boundary of the whole text */
            }
            if (!ok)
                fprintf(stderr, "  max %zu more %d\n", max, more);
            free(out);
        }
    }
    free(whole);
    CHECK(ok);
}

/* Random bytes, random limits: always valid, always within the limit, and utf8_valid() agrees
 * with the test's own check. */
static void utf8_random_bytes(void)
{
    uint32_t seed = 12345;
    uint8_t in[64];
    char out[80];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0, max;
        seed = seed * 1103515245u + 12345u;
        n = (seed >> 16) % sizeof in;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t b = (uint8_t)(seed >> 16);
            /* mostly lead and continuation bytes: the interesting ones */
            in[i] = (seed >> 28) < 3 ? (uint8_t)(b & 0x7f) : (uint8_t)(0x80 | (b & 0x7f));
        }
        seed = seed * 1103515245u + 12345u;
        max = (seed >> 16) % (sizeof out - 1);
        size_t len = utf8_copy(out, max, in, n, (seed >> 30) == 0);
        CHECK(sound(out, len, max));
        CHECK(utf8_valid(in, n) == (is_utf8(in, n) != 0));
    }
}

/* ---- the messages of the test plugin ------------------------------------------------------ */

#define START(h, max) HOST_START(h, NULL, max, NULL)


static const char *error_text(const Outpost__V1__Response *r, Outpost__V1__Code code)
{
    if (r == NULL || r->result_case != OUTPOST__V1__RESPONSE__RESULT_ERROR ||
        r->error->code != code)
        return NULL;
    return r->error->message;
}

/* Any caller can name a method: long names with a character across the cut, and names that are
 * not UTF-8 at all, are quoted valid and short in the UNIMPLEMENTED message. */
static void unimplemented_quotes_long_and_invalid_names_as_valid_utf8(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    char *method = text_of(NAME - 2, 'm', EURO "tail");   /* the cut falls inside the euro */
    char *service = text_of(NAME - 1, 's', GRIN "tail");  /* ... inside the 4-byte character */
    CHECK(method != NULL && service != NULL);
    START(h, MAX);
    CHECK(host_call(&h, 1, service, method, "", 0) == 0);
    free(method);
    free(service);
    const char *msg = error_text(host_reply(&h, 1, &frame), OUTPOST__V1__CODE__UNIMPLEMENTED);
    EXPECT(h, msg != NULL && is_utf8(msg, strlen(msg)));
    EXPECT(h, strstr(msg, UTF8_CUT_MARK "\" in service") != NULL);
    /* `plugin testplugin has no method "" in service ""` (48 bytes) and two names of at most 200 */
    EXPECT(h, strlen(msg) <= 48 + 2 * NAME);
    host_free_frame(frame);
    CHECK(host_call(&h, 2, "test\xc0", "echo\xff\xe2\x82", "", 0) == 0);
    msg = error_text(host_reply(&h, 2, &frame), OUTPOST__V1__CODE__UNIMPLEMENTED);
    EXPECT(h, msg != NULL && is_utf8(msg, strlen(msg)));
    EXPECT(h, strstr(msg, "\"echo" FFFD FFFD "\" in service \"test" FFFD "\"") != NULL);
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* A handler that quotes the host's bytes in its error message: the message is valid UTF-8. */
static void handler_errors_quoting_invalid_bytes_are_valid_utf8(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    CHECK(host_call(&h, 1, "test", "config", "k\xff\xe2\x82", 4) == 0); /* "no %s" */
    const char *msg = error_text(host_reply(&h, 1, &frame), OUTPOST__V1__CODE__INVALID_ARGUMENT);
    EXPECT(h, msg != NULL && strcmp(msg, "no k" FFFD FFFD) == 0);
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* Log lines: invalid bytes are replaced, and a line over the frame size is cut on a character
 * boundary (the SDK keeps a Log message to the frame size minus 64 bytes). */
static void log_lines_are_valid_utf8_and_cut_on_a_boundary(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, 4096);
    CHECK(host_call(&h, 1, "test", "log_repeat", "2 \xc0\xaf" "a", 5) == 0);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_LOG);
    EXPECT(h, strcmp(frame->log->message, FFFD FFFD "a" FFFD FFFD "a") == 0);
    host_free_frame(frame);
    Outpost__V1__Response *r = host_reply(&h, 1, &frame);
    EXPECT(h, r && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD);
    host_free_frame(frame);
    /* 2000 x "a€b", 10000 bytes; the limit, 4032, falls inside the euro of the 807th */
    CHECK(host_call(&h, 2, "test", "log_repeat", "2000 a" EURO "b", 10) == 0);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_LOG);
    const char *msg = frame->log->message;
    size_t len = strlen(msg);
    EXPECT(h, is_utf8(msg, len) && len <= 4096 - 64 && len >= 4096 - 64 - 6);
    EXPECT(h, ends_with_mark(msg, len) && strncmp(msg, "a" EURO "ba" EURO "b", 10) == 0);
    host_free_frame(frame);
    r = host_reply(&h, 2, &frame);
    EXPECT(h, r && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD);
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

const struct test utf8_tests[] = {
    {"utf8_names_of_0_199_200_201_bytes", utf8_names_of_0_199_200_201_bytes},
    {"utf8_a_3_byte_character_straddling_the_cut", utf8_a_3_byte_character_straddling_the_cut},
    {"utf8_a_4_byte_character_straddling_the_cut", utf8_a_4_byte_character_straddling_the_cut},
    {"utf8_invalid_bytes_are_replaced", utf8_invalid_bytes_are_replaced},
    {"utf8_invalid_bytes_at_the_cut", utf8_invalid_bytes_at_the_cut},
    {"utf8_the_start_of_a_longer_text", utf8_the_start_of_a_longer_text},
    {"utf8_tiny_limits", utf8_tiny_limits},
    {"utf8_every_limit_of_a_mixed_text", utf8_every_limit_of_a_mixed_text},
    {"utf8_random_bytes", utf8_random_bytes},
    {"unimplemented_quotes_long_and_invalid_names_as_valid_utf8",
     unimplemented_quotes_long_and_invalid_names_as_valid_utf8},
    {"handler_errors_quoting_invalid_bytes_are_valid_utf8",
     handler_errors_quoting_invalid_bytes_are_valid_utf8},
    {"log_lines_are_valid_utf8_and_cut_on_a_boundary",
     log_lines_are_valid_utf8_and_cut_on_a_boundary},
    {NULL, NULL},
};
