package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import dev.outpost.runtime.OutpostFramework;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real embedded Outpost framework for one test. {@link #close()} stops it and then fails the
 * test if any child process of this JVM is left, alive or zombie (it kills such strays first;
 * they are children of this JVM, so they are ours).
 */
final class TestRuntime implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path SCR = Path.of(System.getProperty("outpost.test.scr", "target/scr"));

    final Framework framework;
    final BundleContext context;
    final Path dir;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    private TestRuntime(Framework framework, Path dir) {
        this.framework = framework;
        this.context = framework.getBundleContext();
        this.dir = dir;
    }

    static TestRuntime start(Path dir) throws Exception {
        return start(dir, Map.of());
    }

    static TestRuntime start(Path dir, Map<String, String> properties) throws Exception {
        Map<String, String> props = new HashMap<>(properties);
        props.putIfAbsent("outpost.stop.grace.ms", "1000");
        props.putIfAbsent("outpost.stop.term.timeout.ms", "1000");
        return new TestRuntime(OutpostFramework.start(dir.resolve("cache"), props), dir);
    }

    Bundle install(Path jar) throws Exception {
        return context.installBundle(jar.toUri().toString());
    }

    Bundle installAndStart(Path jar) throws Exception {
        Bundle b = install(jar);
        b.start();
        return b;
    }

    /** Installs and starts Apache Felix SCR (Declarative Services) and what it needs. */
    void startScr() throws Exception {
        List<Bundle> scr = new ArrayList<>();
        try (var jars = java.nio.file.Files.list(SCR)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                scr.add(install(jar));
            }
        }
        for (Bundle b : scr) {
            b.start();
        }
    }

    Plugins plugins() {
        return context.getService(context.getServiceReference(Plugins.class));
    }

    /** Waits for the named service of the bundle's plugin to be registered. */
    PluginService awaitService(Bundle bundle, String serviceName) throws Exception {
        String filter = "(&(objectClass=" + PluginService.class.getName() + ")("
                + PluginServiceProperties.BUNDLE_ID + "=" + bundle.getBundleId() + ")("
                + PluginServiceProperties.SERVICE_NAME + "=" + serviceName + "))";
        ServiceTracker<PluginService, PluginService> tracker =
                new ServiceTracker<>(context, FrameworkUtil.createFilter(filter), null);
        tracker.open();
        trackers.add(tracker);
        PluginService s = tracker.waitForService(WAIT.toMillis());
        if (s == null) {
            fail("service " + serviceName + " of bundle " + bundle.getSymbolicName() + " did not appear; plugin: "
                    + plugins().forBundle(bundle.getBundleId()));
        }
        return s;
    }

    /** The registered services of a bundle's plugin right now. */
    int serviceCount(Bundle bundle) throws Exception {
        var refs = context.getServiceReferences(PluginService.class,
                "(" + PluginServiceProperties.BUNDLE_ID + "=" + bundle.getBundleId() + ")");
        return refs.size();
    }

    long pid(Bundle bundle) {
        return info(bundle).pid();
    }

    PluginInfo info(Bundle bundle) {
        return plugins().forBundle(bundle.getBundleId()).orElseThrow(
                () -> new AssertionError("no plugin for bundle " + bundle.getSymbolicName()));
    }

    /** Waits (with a deadline) until the bundle's plugin is in a state that fits. */
    PluginInfo awaitState(Bundle bundle, Predicate<PluginState> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<PluginInfo> info = Optional.empty();
        while (System.nanoTime() < deadline) {
            info = plugins().forBundle(bundle.getBundleId());
            if (info.isPresent() && wanted.test(info.get().state())) {
                return info.get();
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
        throw new AssertionError("plugin of " + bundle.getSymbolicName() + " never reached the wanted state: " + info);
    }

    PluginInfo awaitState(Bundle bundle, PluginState wanted) throws InterruptedException {
        return awaitState(bundle, s -> s == wanted);
    }

    @Override
    public void close() throws Exception {
        trackers.forEach(ServiceTracker::close);
        framework.stop();
        framework.waitForStop(60_000);
        assertNoStrayProcesses();
    }

    /** Fails if this JVM has any child process; kills it first so later tests start clean. */
    static void assertNoStrayProcesses() throws IOException {
        List<Long> strays = Processes.children();
        for (long pid : strays) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertEquals(List.of(), strays, "stray child processes (alive or zombie) left behind");
    }
}
