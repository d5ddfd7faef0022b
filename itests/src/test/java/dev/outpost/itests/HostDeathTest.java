package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the host dies, even by SIGKILL, its plugins die with it: also one that ignores the end of
 * its socket and SIGTERM (the parent-death signal, armed by outpost-spawner before the exec).
 */
class HostDeathTest {
    @TempDir
    Path dir;

    @Test
    void everyPluginExitsWithinASecondOfTheHostBeingKilled() throws Exception {
        Path stubborn = TestBundles.fixture(dir, "stubborn", "ignore-term");
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HostProcessMain.class.getName(),
                dir.resolve("cache").toString(), TestBundles.echo().toString(), stubborn.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
                String[] words = line.split(" ");
                assertEquals("RUNNING", words[2], line);
                pids.add(Long.parseLong(words[1]));
            }
            assertEquals(2, pids.size(), "both plugins served before the host was killed");
            host.destroyForcibly();
            assertTrue(host.waitFor(10, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            for (long pid : pids) {
                while (Processes.exists(pid) && !"Z".equals(Processes.state(pid))) {
                    assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(1),
                            "plugin " + pid + " outlived its host by a second");
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            }
            System.out.printf("host SIGKILL -> every plugin gone in %.1f ms%n", (System.nanoTime() - killed) / 1e6);
        } finally {
            host.destroyForcibly();
            host.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
