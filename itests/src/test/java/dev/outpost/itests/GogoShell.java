package dev.outpost.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The shell bundles the launcher installs (Gogo's runtime and command, jline, and Outpost's console
 * bundle, which registers gogo.jline's commands and converters, the ones that turn "5" into a
 * Bundle for the Felix commands) in a test's framework, started as the launcher starts them, and
 * one command session on them, driven through reflection since Gogo's classes live in its bundles.
 * Without the {@code outpost.console} property nothing takes the test's terminal.
 */
final class GogoShell implements AutoCloseable {
    static final Path SHELL = Path.of(System.getProperty("outpost.test.shell", "target/shell"));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Object session;
    private final Method execute;
    private final ServiceTracker<Object, Object> tracker;

    private GogoShell(ServiceTracker<Object, Object> tracker, Object processor) throws Exception {
        this.tracker = tracker;
        Method create = processor.getClass().getMethod("createSession", InputStream.class, OutputStream.class,
                OutputStream.class);
        create.setAccessible(true);
        session = create.invoke(processor, new ByteArrayInputStream(new byte[0]), out, out);
        execute = session.getClass().getMethod("execute", CharSequence.class);
        execute.setAccessible(true);
    }

    /** Installs and starts the shell bundles, and opens a session. */
    static GogoShell start(TestRuntime runtime) throws Exception {
        List<Bundle> bundles = new ArrayList<>();
        try (Stream<Path> jars = Files.list(SHELL)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                bundles.add(runtime.install(jar));
            }
        }
        if (bundles.size() != 5) {
            throw new AssertionError("expected the 5 shell bundles in " + SHELL + ", found " + bundles);
        }
        for (Bundle b : bundles) {
            if (!"org.apache.felix.gogo.jline".equals(b.getSymbolicName())) { // a library of the console bundle
                b.start();
            }
        }
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(runtime.context,
                runtime.context.createFilter("(objectClass=org.apache.felix.service.command.CommandProcessor)"), null);
        tracker.open();
        Object processor = tracker.waitForService(TestRuntime.WAIT.toMillis());
        if (processor == null) {
            throw new AssertionError("no Gogo CommandProcessor");
        }
        return new GogoShell(tracker, processor);
    }

    /** Runs one command line; returns what it printed followed by its result, if any. */
    String run(String line) throws Exception {
        out.reset();
        Object result = execute.invoke(session, line);
        String printed = out.toString(StandardCharsets.UTF_8);
        return result == null ? printed : printed + result;
    }

    @Override
    public void close() throws ReflectiveOperationException {
        session.getClass().getMethod("close").invoke(session);
        tracker.close();
    }
}
