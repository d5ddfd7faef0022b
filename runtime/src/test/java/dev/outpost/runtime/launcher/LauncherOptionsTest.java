package dev.outpost.runtime.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LauncherOptionsTest {
    private static LauncherOptions parse(String... args) {
        LauncherOptions o = new LauncherOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void defaultsRunTheSampleBundlesWithAShell() {
        LauncherOptions o = parse();
        assertEquals(Path.of("bundles"), o.deployDir);
        assertEquals(Path.of("target/outpost-work"), o.workDir);
        assertFalse(o.headless);
        assertEquals(Level.INFO, o.logLevel);
        assertEquals(Duration.ofMillis(500), o.scanInterval());
        assertEquals(Map.of(), o.properties);
    }

    @Test
    void everyOptionIsRead() {
        LauncherOptions o = parse("--deploy", "d", "-w", "w", "--headless", "--log-level", "debug",
                "-Doutpost.stop.grace.ms=500", "-D", "a=b=c", "--scan-interval", "50");
        assertEquals(Path.of("d"), o.deployDir);
        assertEquals(Path.of("w"), o.workDir);
        assertTrue(o.headless);
        assertEquals(Level.FINE, o.logLevel);
        assertEquals(Map.of("outpost.stop.grace.ms", "500", "a", "b=c"), o.properties);
        assertEquals(Duration.ofMillis(50), o.scanInterval());
    }

    @Test
    void badLevelAndUnknownOptionAreUsageErrors() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> parse("-l", "loud"));
        assertTrue(e.getMessage().contains("'loud' is not a log level"), e.getMessage());
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("--nope"));
    }
}
