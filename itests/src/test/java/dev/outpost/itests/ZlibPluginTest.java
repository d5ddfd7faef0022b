package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.sample.zlib.CompressRequest;
import dev.outpost.sample.zlib.CompressResponse;
import dev.outpost.sample.zlib.DecompressRequest;
import dev.outpost.sample.zlib.DecompressResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zlib sample: a native library behind a process boundary, called with typed messages. */
class ZlibPluginTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginService zlib;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir);
        zlib = runtime.awaitService(runtime.installAndStart(TestBundles.zlib()), "zlib");
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    private static byte[] text() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            s.append("the plugin's native code must not take the application down ").append(i % 10).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void compressedBytesInflateWithJavasOwnZlibAndRoundTrip() throws Exception {
        byte[] data = text();
        CompressResponse compressed = zlib.call("compress",
                CompressRequest.newBuilder().setData(ByteString.copyFrom(data)).setLevel(9).build(),
                CompressResponse.parser(), T);
        assertTrue(compressed.getData().size() < data.length / 10, "compresses: " + compressed.getData().size());

        Inflater inflater = new Inflater();
        inflater.setInput(compressed.getData().toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!inflater.finished()) {
            out.write(buf, 0, inflater.inflate(buf));
        }
        assertArrayEquals(data, out.toByteArray(), "the plugin speaks real zlib");

        DecompressResponse back = zlib.call("decompress",
                DecompressRequest.newBuilder().setData(compressed.getData()).build(), DecompressResponse.parser(), T);
        assertArrayEquals(data, back.getData().toByteArray());
    }

    @Test
    void crc32MatchesJava() {
        byte[] data = text();
        CRC32 crc = new CRC32();
        crc.update(data);
        byte[] answer = zlib.call("crc32", data, T);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(answer).getInt());
    }

    @Test
    void zipBombIsRefusedWithResourceExhausted() {
        byte[] zeros = new byte[8 * 1024 * 1024];
        CompressResponse compressed = zlib.call("compress",
                CompressRequest.newBuilder().setData(ByteString.copyFrom(zeros)).setLevel(9).build(),
                CompressResponse.parser(), T);
        PluginException e = assertThrows(PluginException.class, () -> zlib.call("decompress",
                DecompressRequest.newBuilder().setData(compressed.getData()).setMaxSize(1024).build(),
                DecompressResponse.parser(), T));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.code());
    }

    @Test
    void corruptInputIsAnInvalidArgument() {
        PluginException e = assertThrows(PluginException.class, () -> zlib.call("decompress",
                DecompressRequest.newBuilder().setData(ByteString.copyFromUtf8("not zlib at all")).build(),
                DecompressResponse.parser(), T));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        PluginException level = assertThrows(PluginException.class, () -> zlib.call("compress",
                CompressRequest.newBuilder().setData(ByteString.copyFromUtf8("x")).setLevel(42).build(),
                CompressResponse.parser(), T));
        assertEquals(ErrorCode.INVALID_ARGUMENT, level.code());
    }
}
