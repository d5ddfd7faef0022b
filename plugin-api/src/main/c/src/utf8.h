/*
 * utf8.h - text for protobuf string fields: always valid UTF-8, cut on a character boundary.
 *
 * A protobuf `string` must be valid UTF-8; the host rejects a frame that carries anything else
 * and stops the plugin. Every text the SDK puts into a string field (error messages, Log lines)
 * goes through utf8_copy(), since parts of it come from the host (method and service names,
 * payloads a handler quotes) and a byte limit can fall inside a multi-byte character.
 */
#ifndef OUTPOST_UTF8_H
#define OUTPOST_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The end of a text that was cut (ASCII, so a cut mark is itself valid UTF-8 at any length). */
#define UTF8_CUT_MARK "..."
#define UTF8_CUT_MARK_LEN 3

/*
 * Whether the len bytes at s are well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing over U+10FFFF). U+0000 is well-formed.
 */
bool utf8_valid(const void *s, size_t len);

/*
 * Copies the len bytes at src into dst as valid UTF-8 of at most max bytes and adds a NUL; dst
 * must have room for max + 1 bytes and must not overlap src.
 *   - Each ill-formed subsequence of src (its "maximal subpart", as Unicode recommends) becomes
 *     one U+FFFD, three bytes.
 *   - If the result would be longer than max, or more is true (src is only the beginning of a
 *     longer text), the text is cut after its last whole character that leaves room for
 *     UTF8_CUT_MARK, which is appended (as much of it as fits when max < UTF8_CUT_MARK_LEN).
 *     With more, an incomplete sequence at the very end of src belongs to the cut and is
 *     dropped, not replaced.
 * Returns the number of bytes written before the NUL (at most max).
 */
size_t utf8_copy(char *dst, size_t max, const void *src, size_t len, bool more);

#endif
