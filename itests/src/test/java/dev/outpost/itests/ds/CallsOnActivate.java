package dev.outpost.itests.ds;

import dev.outpost.api.PluginService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain Declarative Services component (described in OSGI-INF/calls-on-activate.xml, built into
 * a bundle of its own by DeclarativeServicesTest) that calls the plugin service it references from
 * its activate method, and says what it got in a system property, as another bundle's code would.
 */
public final class CallsOnActivate {
    public static final String ANSWER = "outpost.test.ds.answer";

    private volatile PluginService fx; // set by SCR (field reference)

    void activate() {
        try {
            byte[] answer = fx.call("echo", "from activate".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
            System.setProperty(ANSWER, new String(answer, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            System.setProperty(ANSWER, "failed: " + e);
        }
    }
}
