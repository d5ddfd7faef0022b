package dev.outpost.bench;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.runtime.OutpostFramework;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * An embedded Outpost framework in a private temporary directory, with the echo bundle at hand:
 * what every benchmark drives. Tells when a bundle's echo service is registered (the bundle
 * serves) through a service listener, without polling. {@link #close()} stops the framework,
 * which stops and reaps every plugin, and deletes the directory.
 */
final class EchoHost implements AutoCloseable {
    /** System property naming the echo bundle jar. */
    static final String BUNDLE_PROPERTY = "outpost.bench.bundle";
    /** Large enough for a 16 MiB payload plus the frame's own fields. */
    static final int MAX_FRAME_BYTES = 16 * 1024 * 1024 + 4096;
    private static final String FILTER = "(&(" + Constants.OBJECTCLASS + "=" + PluginService.class.getName()
            + ")(" + PluginServiceProperties.SERVICE_NAME + "=echo))";

    /** Held so that the level set on it stays (the log manager keeps loggers weakly). */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("dev.outpost"), java.util.logging.Logger.getLogger("outpost"));

    final Framework framework;
    final BundleContext context;
    private final Path dir;
    private final byte[] bundleBytes;
    private final Map<Long, CompletableFuture<ServiceReference<?>>> serving = new ConcurrentHashMap<>();
    private final ServiceListener listener = this::serviceChanged;

    private EchoHost(Framework framework, Path dir, byte[] bundleBytes) throws Exception {
        this.framework = framework;
        this.context = framework.getBundleContext();
        this.dir = dir;
        this.bundleBytes = bundleBytes;
        context.addServiceListener(listener, FILTER);
    }

    static EchoHost start() throws Exception {
        return start(Map.of());
    }

    static EchoHost start(Map<String, String> extra) throws Exception {
        // a line per plugin start and stop on the console would be measured along; -D<this>=INFO shows them
        java.util.logging.Level level = java.util.logging.Level.parse(System.getProperty("outpost.bench.log", "WARNING"));
        QUIET.forEach(l -> l.setLevel(level));
        Path bundle = bundlePath();
        Path dir = Files.createTempDirectory("outpost-bench");
        Map<String, String> props = new HashMap<>(extra);
        props.put("outpost.frame.max.bytes", Integer.toString(MAX_FRAME_BYTES));
        // the scale benchmark installs the same bundle under many locations
        props.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
        try {
            return new EchoHost(OutpostFramework.start(dir.resolve("cache"), props), dir, Files.readAllBytes(bundle));
        } catch (Exception e) {
            deleteTree(dir);
            throw e;
        }
    }

    static Path bundlePath() {
        Path p = Path.of(System.getProperty(BUNDLE_PROPERTY, "bundles/echo.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("echo bundle not found at " + p.toAbsolutePath()
                    + "; build it (mvn package) or set -D" + BUNDLE_PROPERTY);
        }
        return p;
    }

    /** Installs the echo bundle under a location of its own (not started). */
    Bundle install(String name) throws Exception {
        try (InputStream in = new java.io.ByteArrayInputStream(bundleBytes)) {
            return context.installBundle("bench:" + name, in);
        }
    }

    /** System property naming the bench plugin's executable (TypedBenchmark). */
    static final String PLUGIN_PROPERTY = "outpost.bench.plugin";

    /**
     * Installs a bundle of the bench plugin (not started): its executable, which serves "echo"
     * through generated glue and calls the host's "bench" service, which it imports.
     */
    Bundle installBenchPlugin() throws Exception {
        Path exe = Path.of(System.getProperty(PLUGIN_PROPERTY, "target/native/bench_plugin"));
        if (!Files.isRegularFile(exe)) {
            throw new IllegalStateException("bench plugin not found at " + exe.toAbsolutePath()
                    + "; build it (mvn package) or set -D" + PLUGIN_PROPERTY);
        }
        byte[] jar = PluginJar.of("dev.outpost.bench.plugin", "bin/bench_plugin", Files.readAllBytes(exe),
                Map.of("Outpost-Name", "bench", "Outpost-Import", "bench"));
        try (InputStream in = new java.io.ByteArrayInputStream(jar)) {
            return context.installBundle("bench:plugin", in);
        }
    }

    /** The service {@code name} of the bundle's plugin, waiting for it up to ten seconds. */
    PluginService service(Bundle bundle, String name) throws Exception {
        String filter = "(&(" + PluginServiceProperties.BUNDLE_ID + "=" + bundle.getBundleId() + ")("
                + PluginServiceProperties.SERVICE_NAME + "=" + name + "))";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var refs = context.getServiceReferences(PluginService.class, filter);
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        throw new IllegalStateException("no service " + name + " of bundle " + bundle.getBundleId());
    }

    /** Starts the bundle and waits until its echo service is registered. */
    PluginService startAndAwait(Bundle bundle, long timeoutMillis) throws Exception {
        CompletableFuture<ServiceReference<?>> registered = expect(bundle);
        bundle.start();
        return await(bundle, registered, timeoutMillis);
    }

    /** Call before {@code bundle.start()}: completes when the bundle's echo service registers. */
    CompletableFuture<ServiceReference<?>> expect(Bundle bundle) {
        CompletableFuture<ServiceReference<?>> f = new CompletableFuture<>();
        serving.put(bundle.getBundleId(), f);
        return f;
    }

    PluginService await(Bundle bundle, CompletableFuture<ServiceReference<?>> registered, long timeoutMillis)
            throws Exception {
        ServiceReference<?> ref = registered.get(timeoutMillis, TimeUnit.MILLISECONDS);
        return (PluginService) context.getService(ref);
    }

    /** The pid of the bundle's plugin process, from its service's properties. */
    long pid(Bundle bundle) {
        CompletableFuture<ServiceReference<?>> f = serving.get(bundle.getBundleId());
        ServiceReference<?> ref = f == null ? null : f.getNow(null);
        Object pid = ref == null ? null : ref.getProperty(PluginServiceProperties.PID);
        return pid instanceof Long l ? l : -1;
    }

    private void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.REGISTERED) {
            return;
        }
        Object id = event.getServiceReference().getProperty(PluginServiceProperties.BUNDLE_ID);
        if (id instanceof Long bundleId) {
            serving.computeIfAbsent(bundleId, k -> new CompletableFuture<>()).complete(event.getServiceReference());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (framework.getState() == Bundle.ACTIVE) {
                context.removeServiceListener(listener);
            }
            framework.stop();
            framework.waitForStop(120_000);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
