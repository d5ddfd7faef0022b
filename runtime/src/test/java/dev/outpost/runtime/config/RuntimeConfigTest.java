package dev.outpost.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {
    private static final boolean SEVERAL_CPUS = Runtime.getRuntime().availableProcessors() > 1;

    @Test
    void spinIs50MicrosecondsByDefaultAndNoneOnOneCpu() {
        assertEquals(Duration.ofNanos(SEVERAL_CPUS ? 50_000 : 0), RuntimeConfig.defaults().spin());
    }

    @Test
    void spinCanBeSetOrTurnedOff() {
        assertEquals(Duration.ofNanos(SEVERAL_CPUS ? 200_000 : 0), config(Map.of(RuntimeConfig.SPIN, "200")).spin());
        assertEquals(Duration.ZERO, config(Map.of(RuntimeConfig.SPIN, "0")).spin());
    }

    @Test
    void badValuesAreRefusedNamingTheProperty() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(RuntimeConfig.SPIN, "10001")));
        assertEquals("outpost.spin.us must be between 0 and 10000, not 10001", tooLong.getMessage());
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(RuntimeConfig.STOP_GRACE, "soon")));
        assertEquals("outpost.stop.grace.ms must be a whole number, not 'soon'", notANumber.getMessage());
    }

    private static RuntimeConfig config(Map<String, String> properties) {
        return RuntimeConfig.from(properties::get);
    }
}
