package dev.outpost.sample.zlib;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed access to the zlib sample plugin's service, found in the OSGi service registry as a
 * {@link PluginService} whose {@code outpost.service.name} is {@value #SERVICE}.
 *
 * <pre>{@code
 * ZlibClient zlib = new ZlibClient(service, Duration.ofSeconds(5));
 * byte[] packed = zlib.compress(data, ZlibClient.DEFAULT_LEVEL);
 * byte[] unpacked = zlib.decompress(packed, 0);
 * }</pre>
 *
 * <p>Every method throws {@link PluginException}: {@link ErrorCode#INVALID_ARGUMENT} for a bad
 * level or corrupt data, {@link ErrorCode#RESOURCE_EXHAUSTED} when the output would be too
 * large, and whatever the runtime reports when the plugin is not running.
 */
public final class ZlibClient {
    /** The service name the plugin declares. */
    public static final String SERVICE = "zlib";
    /** Method names. */
    public static final String COMPRESS = "compress";
    public static final String DECOMPRESS = "decompress";
    public static final String CRC32 = "crc32";
    /** zlib's default compression level (6). */
    public static final int DEFAULT_LEVEL = -1;

    private final PluginService service;
    private final Duration timeout;

    /**
     * @param service the plugin's "zlib" service
     * @param timeout the deadline of each call; {@code null} for none
     */
    public ZlibClient(PluginService service, Duration timeout) {
        this.service = Objects.requireNonNull(service, "service");
        if (!SERVICE.equals(service.serviceName())) {
            throw new IllegalArgumentException("not the zlib service: " + service.serviceName());
        }
        this.timeout = timeout;
    }

    /** Compresses {@code data} into the zlib format at {@code level} (-1 for the default, 0..9). */
    public byte[] compress(byte[] data, int level) {
        CompressRequest request = CompressRequest.newBuilder()
                .setData(ByteString.copyFrom(data))
                .setLevel(level)
                .build();
        return service.call(COMPRESS, request, CompressResponse.parser(), timeout)
                .getData().toByteArray();
    }

    /**
     * Decompresses zlib or gzip data.
     *
     * @param maxSize the largest result accepted in bytes; 0 for as much as fits in one frame
     */
    public byte[] decompress(byte[] data, long maxSize) {
        DecompressRequest request = DecompressRequest.newBuilder()
                .setData(ByteString.copyFrom(data))
                .setMaxSize(maxSize)
                .build();
        return service.call(DECOMPRESS, request, DecompressResponse.parser(), timeout)
                .getData().toByteArray();
    }

    /** The CRC-32 of {@code data}, as {@link java.util.zip.CRC32} computes it. */
    public long crc32(byte[] data) {
        byte[] answer = service.call(CRC32, data, timeout);
        if (answer.length != 4) {
            throw new PluginException(ErrorCode.INVALID_ARGUMENT,
                    "crc32 answered " + answer.length + " bytes instead of 4");
        }
        return ((answer[0] & 0xffL) << 24) | ((answer[1] & 0xffL) << 16)
                | ((answer[2] & 0xffL) << 8) | (answer[3] & 0xffL);
    }
}
