/*
 * zlib - compression for Java callers without JNI: a crash in zlib takes down this process, not
 * the JVM.
 *
 * Service "zlib", as ../proto/zlib.proto declares it (protoc-c generates the messages' C code,
 * protoc-gen-outpost the glue, zlib.outpost.h, at build time):
 *   compress    CompressRequest{data, level}       -> CompressResponse{data}    (zlib format)
 *   decompress  DecompressRequest{data, max_size}  -> DecompressResponse{data}  (zlib or gzip)
 *   crc32       Crc32Request{data}                 -> Crc32Response{crc}
 *
 * Decompression is bounded: output over max_size (at most what fits in one frame) is refused
 * with RESOURCE_EXHAUSTED as soon as it is produced, so a zip bomb costs at most that much memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outpost.h>
#include <zlib.h>

#include "zlib.outpost.h"

/* The tag and the longest length prefix of the one bytes field of the responses. */
#define FIELD_OVERHEAD 6

/* An output buffer reused from call to call (calls run one at a time; the answer is packed from
 * it right after the handler returns, before any other call runs). */
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

static int zlib_compress(void *user, const outpost_request *call,
                         const Outpost__Sample__Zlib__CompressRequest *in,
                         Outpost__Sample__Zlib__CompressResponse *resp)
{
    struct scratch *out = user;
    if (in->level < -1 || in->level > 9)
        return outpost_request_set_error(call, OUTPOST_CODE_INVALID_ARGUMENT,
                                         "level %d is outside -1..9", (int)in->level);
    uLongf out_len = compressBound(in->data.len);
    if (reserve(out, out_len) != 0)
        return outpost_request_set_error(call, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
    static const Bytef nothing[1];
    int z = compress2(out->data, &out_len, in->data.len ? in->data.data : nothing, in->data.len,
                      in->level);
    if (z != Z_OK)
        return outpost_request_set_error(call, OUTPOST_CODE_INTERNAL, "compress2: %s", zError(z));
    resp->data.data = out->data;
    resp->data.len = out_len;
    return 0;
}

/*
 * Inflates data into out, refusing more than max bytes. Returns the size, or -1 with the error
 * set on call.
 */
static long inflate_bounded(struct scratch *out, const uint8_t *data, size_t len, size_t max,
                            const outpost_request *call)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) { /* 15: 32 KiB window; +32: zlib or gzip header */
        outpost_request_set_error(call, OUTPOST_CODE_INTERNAL, "inflateInit2 failed");
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
            outpost_request_set_error(call, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
            break;
        }
        zs.next_out = out->data + zs.total_out;
        zs.avail_out = (uInt)(cap - zs.total_out);
        int z = inflate(&zs, Z_NO_FLUSH);
        if (zs.total_out > max) {
            outpost_request_set_error(call, OUTPOST_CODE_RESOURCE_EXHAUSTED,
                                      "decompressed data exceeds %zu bytes", max);
            break;
        }
        if (z == Z_STREAM_END) {
            if (zs.avail_in > 0)
                outpost_request_set_error(call, OUTPOST_CODE_INVALID_ARGUMENT,
                                          "%u bytes after the end of the compressed data",
                                          zs.avail_in);
            else
                result = (long)zs.total_out;
            break;
        }
        if (z == Z_NEED_DICT || z == Z_DATA_ERROR) {
            outpost_request_set_error(call, OUTPOST_CODE_INVALID_ARGUMENT, "corrupt data: %s",
                                      zs.msg ? zs.msg : zError(z));
            break;
        }
        if (z == Z_MEM_ERROR) {
            outpost_request_set_error(call, OUTPOST_CODE_RESOURCE_EXHAUSTED, "out of memory");
            break;
        }
        if (zs.avail_out > 0 && zs.avail_in == 0) { /* wants input we do not have */
            outpost_request_set_error(call, OUTPOST_CODE_INVALID_ARGUMENT,
                                      "compressed data is truncated");
            break;
        }
        cap *= 2; /* Z_OK or Z_BUF_ERROR with a full output buffer: make room */
    }
    inflateEnd(&zs);
    return result;
}

static int zlib_decompress(void *user, const outpost_request *call,
                           const Outpost__Sample__Zlib__DecompressRequest *in,
                           Outpost__Sample__Zlib__DecompressResponse *resp)
{
    struct scratch *out = user;
    size_t limit = outpost_max_payload(outpost_request_plugin(call));
    limit = limit > FIELD_OVERHEAD ? limit - FIELD_OVERHEAD : 0;
    size_t max = in->max_size == 0 || in->max_size > limit ? limit : (size_t)in->max_size;
    long n = inflate_bounded(out, in->data.data, in->data.len, max, call);
    if (n < 0)
        return -1; /* the error is set */
    resp->data.data = out->data;
    resp->data.len = (size_t)n;
    return 0;
}

static int zlib_crc32(void *user, const outpost_request *call,
                      const Outpost__Sample__Zlib__Crc32Request *in,
                      Outpost__Sample__Zlib__Crc32Response *resp)
{
    (void)user;
    (void)call;
    static const Bytef nothing[1];
    resp->crc = (uint32_t)crc32_z(crc32_z(0, Z_NULL, 0), in->data.len ? in->data.data : nothing,
                                  in->data.len);
    return 0;
}

/* The output buffer of compress and decompress. */
static struct scratch output;

/* The handlers and their user pointer; registered as is, so static (zlib.outpost.h). */
static const zlib_service impl = {
    .user = &output,
    .compress = zlib_compress,
    .decompress = zlib_decompress,
    .crc32 = zlib_crc32,
};

int main(void)
{
    outpost_plugin *plugin = outpost_plugin_new("zlib", zlibVersion());
    if (plugin == NULL) {
        fputs("zlib: out of memory\n", stderr);
        return 1;
    }
    int rc = zlib_service_register(plugin, &impl, 0);
    if (rc == 0)
        rc = outpost_serve(plugin);
    else
        fprintf(stderr, "zlib: %s\n", outpost_strerror(rc));
    outpost_plugin_free(plugin);
    free(output.data);
    return rc == 0 ? 0 : 1;
}
