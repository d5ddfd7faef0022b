/* utf8.c - validating and cutting UTF-8 text (see utf8.h). */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

static const uint8_t replacement[] = {0xef, 0xbf, 0xbd}; /* U+FFFD */

/*
 * Looks at the character at s[0..n), n > 0. Returns its length (1 to 4) if it is well-formed;
 * else 0, with *used the length of its maximal subpart (at least 1) and *incomplete set when
 * the only fault is that the input ends inside the character.
 */
static size_t next_char(const uint8_t *s, size_t n, size_t *used, bool *incomplete)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    *incomplete = false;
    *used = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* over U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0, C1, F5..FF */
    }
    for (size_t i = 1; i < need; i++) {
        if (i == n) {
            *used = i;
            *incomplete = true;
            return 0;
        }
        if (s[i] < lo || s[i] > hi) {
            *used = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    *used = need;
    return need;
}

bool utf8_valid(const void *s, size_t len)
{
    const uint8_t *p = s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) { /* the common case, a byte at a time */
            i++;
            continue;
        }
        size_t used;
        bool incomplete;
        if (next_char(p + i, len - i, &used, &incomplete) == 0)
            return false;
        i += used;
    }
    return true;
}

size_t utf8_copy(char *dst, size_t max, const void *src, size_t len, bool more)
{
    const uint8_t *s = src;
    size_t mark = max < UTF8_CUT_MARK_LEN ? max : UTF8_CUT_MARK_LEN;
    size_t out = 0;  /* bytes written */
    size_t keep = 0; /* end of the last whole character that leaves room for the mark */
    bool cut = more;
    size_t i = 0;
    while (i < len) {
        size_t used;
        bool incomplete;
        const uint8_t *ch = s + i;
        size_t n = next_char(ch, len - i, &used, &incomplete);
        if (n == 0) {
            if (incomplete && more)
                break; /* the text was cut inside this character */
            ch = replacement;
            n = sizeof replacement;
        }
        if (n > max - out) {
            cut = true;
            break;
        }
        memcpy(dst + out, ch, n);
        out += n;
        if (out <= max - mark)
            keep = out;
        i += used;
    }
    if (cut) {
        memcpy(dst + keep, UTF8_CUT_MARK, mark);
        out = keep + mark;
    }
    dst[out] = '\0';
    return out;
}
