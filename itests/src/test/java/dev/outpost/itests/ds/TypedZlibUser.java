package dev.outpost.itests.ds;

import com.google.protobuf.ByteString;
import dev.outpost.sample.zlib.Crc32Request;
import dev.outpost.sample.zlib.Zlib;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A plain Declarative Services component (described in OSGI-INF/typed-zlib-user.xml, built into a
 * bundle of its own by TypedServicesTest) with a dynamic, greedy reference to the generated
 * {@link Zlib} interface: from activation to deactivation a thread of its own calls
 * {@code zlib.crc32(...)}, checks each answer against Java's CRC-32, and tells its counts in
 * system properties, as another bundle's code would use the plugin.
 */
public final class TypedZlibUser {
    public static final String OK = "outpost.test.typed.ok";
    public static final String FAILED = "outpost.test.typed.failed";
    public static final String LAST_FAILURE = "outpost.test.typed.last";

    private static final byte[] DATA = "typed calls from a DS component".getBytes(StandardCharsets.UTF_8);

    private volatile Zlib zlib; // set by SCR (field reference, replaced in place when a better one comes)
    private volatile boolean active;
    private Thread caller;

    void activate() {
        active = true;
        caller = new Thread(this::callUntilDeactivated, "typed-zlib-user");
        caller.setDaemon(true);
        caller.start();
    }

    void deactivate() throws InterruptedException {
        active = false;
        caller.join(10_000);
    }

    private void callUntilDeactivated() {
        CRC32 expected = new CRC32();
        expected.update(DATA);
        Crc32Request request = Crc32Request.newBuilder().setData(ByteString.copyFrom(DATA)).build();
        long ok = 0;
        long failed = 0;
        while (active) {
            try {
                int crc = zlib.crc32(request).getCrc();
                if (crc == (int) expected.getValue()) {
                    ok++;
                } else {
                    failed++;
                    System.setProperty(LAST_FAILURE, "wrong crc " + crc);
                }
            } catch (RuntimeException e) {
                failed++;
                System.setProperty(LAST_FAILURE, e.toString());
            }
            System.setProperty(OK, Long.toString(ok));
            System.setProperty(FAILED, Long.toString(failed));
        }
    }
}
