/*
 * zlib - compression for Java callers without JNI: a crash in zlib takes down this process, not
 * the JVM.
 *
 * Service "zlib":
 *   compress    CompressRequest{data, level}       -> CompressResponse{data}    (zlib format)
 *   decompress  DecompressRequest{data, max_size}  -> DecompressResponse{data}  (zlib or gzip)
 *   crc32       raw bytes                          -> 4 bytes, CRC-32 big-endian
 * The messages are in ../proto/zlib.proto; protoc-c generates their C code at build time.
 *
 * Decompression is bounded: output over max_size (at most what fits in one frame) is refused
 * with RESOURCE_EXHAUSTED as soon as it is produced, so a zip bomb costs at most that much memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outpost.h>
#include <zlib.h>

#include "zlib.pb-c.h"

/* The tag and the longest length prefix of the one bytes field of the responses. */
#define FIELD_OVERHEAD 6

/* An output buffer reused from call to call (calls run one at a time). */
struct scratch {
    uint8_t *data;
    size_t cap;
};

static int reserve(struct scratch *s, size_t size)
{
    if (size <= s->cap)
        return 0;
    uint8_t *data = realloc(s->data, size);
    if (data == NULL)
        return -1;
    s->data = data;
    s->cap = size;
    return 0;
}

/* Answers with a message packed straight into the SDK's response buffer. */
static int answer(outpost_response *resp, const ProtobufCMessage *msg)
{
    void *dst = outpost_response_alloc(resp, protobuf_c_message_get_packed_size(msg));
    if (dst == NULL)
        return -1; /* too big: the SDK already made the answer RESOURCE_EXHAUSTED */
    protobuf_c_message_pack(msg, dst);
    return 0;
}

static int zlib_compress(void *user, const outpost_request *req, outpost_response *resp)
{
    struct scratch *out = user;
    size_t len;
    const uint8_t *payload = outpost_request_payload(req, &len);
    Outpost__Sample__Zlib__CompressRequest *in =
        outpost__sample__zlib__compress_request__unpack(NULL, len, payload);
    if (in == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT,
                                          "payload is not a CompressRequest");
    int rc = -1;
    if (in->level < -1 || in->level > 9) {
        outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT,
                                   "level %d is outside -1..9", (int)in->level);
        goto done;
    }
    uLongf out_len = compressBound(in->data.len);
    if (reserve(out, out_len) != 0) {
        outpost_response_set_error(resp, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
        goto done;
    }
    static const Bytef nothing[1];
    int z = compress2(out->data, &out_len, in->data.len ? in->data.data : nothing, in->data.len,
                      in->level);
    if (z != Z_OK) {
        outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "compress2: %s", zError(z));
        goto done;
    }
    Outpost__Sample__Zlib__CompressResponse msg = OUTPOST__SAMPLE__ZLIB__COMPRESS_RESPONSE__INIT;
    msg.data.data = out->data;
    msg.data.len = out_len;
    rc = answer(resp, &msg.base);
done:
    outpost__sample__zlib__compress_request__free_unpacked(in, NULL);
    return rc;
}

/*
 * Inflates data into out, refusing more than max bytes. Returns the size, or -1 with the error
 * set on resp.
 */
static long inflate_bounded(struct scratch *out, const uint8_t *data, size_t len, size_t max,
                            outpost_response *resp)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) { /* 15: 32 KiB window; +32: zlib or gzip header */
        outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "inflateInit2 failed");
        return -1;
    }
    static Bytef nothing[1];
    zs.next_in = len ? (Bytef *)data : nothing;
    zs.avail_in = (uInt)len;
    size_t cap = len < max / 4 ? (len * 4 > 65536 ? len * 4 : 65536) : max + 1;
    long result = -1;
    for (;;) {
        if (cap > max + 1)
            cap = max + 1; /* one byte more than allowed tells "too much" apart from "exactly" */
        if (reserve(out, cap) != 0) {
            outpost_response_set_error(resp, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
            break;
        }
        zs.next_out = out->data + zs.total_out;
        zs.avail_out = (uInt)(cap - zs.total_out);
        int z = inflate(&zs, Z_NO_FLUSH);
        if (zs.total_out > max) {
            outpost_response_set_error(resp, OUTPOST_CODE_RESOURCE_EXHAUSTED,
                                       "decompressed data exceeds %zu bytes", max);
            break;
        }
        if (z == Z_STREAM_END) {
            if (zs.avail_in > 0)
                outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT,
                                           "%u bytes after the end of the compressed data",
                                           zs.avail_in);
            else
                result = (long)zs.total_out;
            break;
        }
        if (z == Z_NEED_DICT || z == Z_DATA_ERROR) {
            outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "corrupt data: %s",
                                       zs.msg ? zs.msg : zError(z));
            break;
        }
        if (z == Z_MEM_ERROR) {
            outpost_response_set_error(resp, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
            break;
        }
        if (zs.avail_out > 0 && zs.avail_in == 0) { /* wants input we do not have */
            outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT,
                                       "compressed data is truncated");
            break;
        }
        cap *= 2; /* Z_OK or Z_BUF_ERROR with a full output buffer: make room */
    }
    inflateEnd(&zs);
    return result;
}

static int zlib_decompress(void *user, const outpost_request *req, outpost_response *resp)
{
    struct scratch *out = user;
    size_t len;
    const uint8_t *payload = outpost_request_payload(req, &len);
    Outpost__Sample__Zlib__DecompressRequest *in =
        outpost__sample__zlib__decompress_request__unpack(NULL, len, payload);
    if (in == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT,
                                          "payload is not a DecompressRequest");
    size_t limit = outpost_max_payload(outpost_request_plugin(req));
    limit = limit > FIELD_OVERHEAD ? limit - FIELD_OVERHEAD : 0;
    size_t max = in->max_size == 0 || in->max_size > limit ? limit : (size_t)in->max_size;
    int rc = -1;
    long n = inflate_bounded(out, in->data.data, in->data.len, max, resp);
    if (n >= 0) {
        Outpost__Sample__Zlib__DecompressResponse msg =
            OUTPOST__SAMPLE__ZLIB__DECOMPRESS_RESPONSE__INIT;
        msg.data.data = out->data;
        msg.data.len = (size_t)n;
        rc = answer(resp, &msg.base);
    }
    outpost__sample__zlib__decompress_request__free_unpacked(in, NULL);
    return rc;
}

static int zlib_crc32(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const uint8_t *payload = outpost_request_payload(req, &len);
    unsigned long crc = crc32_z(crc32_z(0, Z_NULL, 0), payload, len);
    uint8_t *out = outpost_response_alloc(resp, 4);
    if (out == NULL)
        return -1;
    out[0] = (uint8_t)(crc >> 24);
    out[1] = (uint8_t)(crc >> 16);
    out[2] = (uint8_t)(crc >> 8);
    out[3] = (uint8_t)crc;
    return 0;
}

int main(void)
{
    struct scratch out = {NULL, 0};
    outpost_plugin *plugin = outpost_plugin_new("zlib", zlibVersion());
    if (plugin == NULL) {
        fputs("zlib: out of memory\n", stderr);
        return 1;
    }
    int rc = outpost_plugin_add_method(plugin, "zlib", "compress", zlib_compress, &out);
    if (rc == 0)
        rc = outpost_plugin_add_method(plugin, "zlib", "decompress", zlib_decompress, &out);
    if (rc == 0)
        rc = outpost_plugin_add_method(plugin, "zlib", "crc32", zlib_crc32, NULL);
    if (rc == 0)
        rc = outpost_serve(plugin);
    else
        fprintf(stderr, "zlib: %s\n", outpost_strerror(rc));
    outpost_plugin_free(plugin);
    free(out.data);
    return rc == 0 ? 0 : 1;
}
