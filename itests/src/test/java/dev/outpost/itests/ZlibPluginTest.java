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
import dev.outpost.sample.zlib.Crc32Request;
import dev.outpost.sample.zlib.DecompressRequest;
import dev.outpost.sample.zlib.DecompressResponse;
import dev.outpost.sample.zlib.Zlib;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zlib sample: a native library behind a process boundary, called through the interface
 * generated from its zlib.proto ({@code Zlib.over} is what the runtime registers as {@code Zlib};
 * DeclarativeServicesTest takes the registered one), and once untyped.
 */
class ZlibPluginTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginService service;
    Zlib zlib;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir);
        service = runtime.awaitService(runtime.installAndStart(TestBundles.zlib()), "zlib");
        zlib = Zlib.over(service);
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
        CompressResponse compressed = zlib.compress(
                CompressRequest.newBuilder().setData(ByteString.copyFrom(data)).setLevel(9).build(), T);
        assertTrue(compressed.getData().size() < data.length / 10, "compresses: " + compressed.getData().size());

        Inflater inflater = new Inflater();
        inflater.setInput(compressed.getData().toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!inflater.finished()) {
            out.write(buf, 0, inflater.inflate(buf));
        }
        assertArrayEquals(data, out.toByteArray(), "the plugin speaks real zlib");

        DecompressResponse back = zlib.decompressAsync(
                DecompressRequest.newBuilder().setData(compressed.getData()).build()).get(10, TimeUnit.SECONDS);
        assertArrayEquals(data, back.getData().toByteArray());
    }

    @Test
    void crc32MatchesJava() {
        byte[] data = text();
        CRC32 crc = new CRC32();
        crc.update(data);
        assertEquals((int) crc.getValue(), zlib.crc32(Crc32Request.newBuilder().setData(ByteString.copyFrom(data)).build()).getCrc());
        byte[] untyped = service.call(Zlib.CRC32, Crc32Request.newBuilder().setData(ByteString.copyFrom(data)).build()
                .toByteArray(), T);
        assertTrue(untyped.length > 0, "the same method untyped, for tools such as the shell");
    }

    @Test
    void zipBombIsRefusedWithResourceExhausted() {
        byte[] zeros = new byte[8 * 1024 * 1024];
        CompressResponse compressed = zlib.compress(
                CompressRequest.newBuilder().setData(ByteString.copyFrom(zeros)).setLevel(9).build(), T);
        PluginException e = assertThrows(PluginException.class, () -> zlib.decompress(
                DecompressRequest.newBuilder().setData(compressed.getData()).setMaxSize(1024).build(), T));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.code());
    }

    @Test
    void corruptInputIsAnInvalidArgument() {
        PluginException e = assertThrows(PluginException.class, () -> zlib.decompress(
                DecompressRequest.newBuilder().setData(ByteString.copyFromUtf8("not zlib at all")).build()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        PluginException level = assertThrows(PluginException.class, () -> zlib.compress(
                CompressRequest.newBuilder().setData(ByteString.copyFromUtf8("x")).setLevel(42).build()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, level.code());
        PluginException garbage = assertThrows(PluginException.class,
                () -> service.call(Zlib.DECOMPRESS, new byte[] {(byte) 0xff, (byte) 0xff}, T));
        assertEquals(ErrorCode.INVALID_ARGUMENT, garbage.code(), "a request that does not parse: " + garbage.getMessage());
    }
}
