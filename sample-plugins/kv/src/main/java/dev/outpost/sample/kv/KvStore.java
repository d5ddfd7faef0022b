package dev.outpost.sample.kv;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store behind the sample {@code kv} host service: in memory, bounded (see kv.proto), safe to
 * call from any thread. A number kept by {@link #add} is stored as 8 bytes, big-endian, tagged so
 * that a value put by {@link #put} is never read as one.
 */
public final class KvStore implements Kv {
    static final int MAX_KEY_BYTES = 256;
    static final int MAX_VALUE_BYTES = 64 * 1024;
    static final int MAX_KEYS = 10_000;

    /** A counter's value: a tag byte, then the number. */
    private static final byte NUMBER = 'N';
    private static final byte BYTES = 'B';

    private final ConcurrentHashMap<String, ByteString> values = new ConcurrentHashMap<>();

    @Override
    public GetResponse get(GetRequest request) {
        ByteString stored = values.get(checkedKey(request.getKey()));
        if (stored == null) {
            return GetResponse.getDefaultInstance();
        }
        return GetResponse.newBuilder().setFound(true).setValue(stored.substring(1)).build();
    }

    @Override
    public PutResponse put(PutRequest request) {
        String key = checkedKey(request.getKey());
        if (request.getValue().size() > MAX_VALUE_BYTES) {
            throw new PluginException(ErrorCode.RESOURCE_EXHAUSTED, "a value is at most " + MAX_VALUE_BYTES
                    + " bytes, not " + request.getValue().size());
        }
        ByteString value = ByteString.copyFrom(new byte[] {BYTES}).concat(request.getValue());
        if (values.replace(key, value) == null) {
            room(key);
            values.put(key, value);
        }
        return PutResponse.getDefaultInstance();
    }

    @Override
    public AddResponse add(AddRequest request) {
        String key = checkedKey(request.getKey());
        if (!values.containsKey(key)) {
            room(key);
        }
        long[] sum = new long[1];
        values.compute(key, (k, old) -> {
            long before = 0;
            if (old != null) {
                if (old.size() != 9 || old.byteAt(0) != NUMBER) {
                    throw new PluginException(ErrorCode.INVALID_ARGUMENT, "key " + k + " holds no number");
                }
                before = old.substring(1).asReadOnlyByteBuffer().getLong();
            }
            sum[0] = before + request.getDelta();
            return ByteString.copyFrom(ByteBuffer.allocate(9).put(NUMBER).putLong(sum[0]).flip());
        });
        return AddResponse.newBuilder().setValue(sum[0]).build();
    }

    /** Keys stored now. */
    public int size() {
        return values.size();
    }

    private void room(String key) {
        if (values.size() >= MAX_KEYS) {
            throw new PluginException(ErrorCode.RESOURCE_EXHAUSTED, "the store holds " + MAX_KEYS
                    + " keys, its most; " + key + " is not added");
        }
    }

    private static String checkedKey(String key) {
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) {
            throw new PluginException(ErrorCode.INVALID_ARGUMENT, "a key must not be empty");
        }
        if (bytes > MAX_KEY_BYTES) {
            throw new PluginException(ErrorCode.RESOURCE_EXHAUSTED, "a key is at most " + MAX_KEY_BYTES
                    + " bytes, not " + bytes);
        }
        return key;
    }
}
