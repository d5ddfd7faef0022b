package dev.outpost.itests;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A vanilla Felix, nothing of Outpost on its class path: installs protobuf, the Outpost API, the
 * Outpost runtime and the echo plugin as ordinary bundles, calls echo once, stops, and prints
 * what happened. Runs in a JVM of its own (see PlainFrameworkTest): arguments are the folder of
 * those jars, the echo bundle and a storage folder.
 */
public final class PlainFrameworkMain {
    private PlainFrameworkMain() {
    }

    public static void main(String[] args) throws Exception {
        Path jars = Path.of(args[0]);
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, args[2]);
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Felix felix = new Felix(config);
        felix.init();
        felix.start();
        BundleContext context = felix.getBundleContext();
        for (String jar : new String[] {"protobuf-java.jar", "outpost-plugin-api.jar", "outpost-runtime.jar"}) {
            context.installBundle(jars.resolve(jar).toUri().toString()).start();
        }
        Bundle echo = context.installBundle(Path.of(args[1]).toUri().toString());
        echo.start();
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=dev.outpost.api.PluginService)(outpost.service.name=echo))"), null);
        tracker.open();
        Object service = tracker.waitForService(20_000);
        if (service == null) {
            System.out.println("no echo service");
            System.exit(1);
        }
        Object pid = tracker.getServiceReference().getProperty("outpost.plugin.pid");
        Method call = service.getClass().getMethod("call", String.class, byte[].class, Duration.class);
        call.setAccessible(true);
        byte[] answer = (byte[]) call.invoke(service, "echo", "plain".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        System.out.println("answer " + new String(answer, StandardCharsets.UTF_8));
        System.out.println("pid " + pid);
        tracker.close();
        felix.stop();
        felix.waitForStop(30_000);
        System.out.println("alive-after-stop " + Files.exists(Path.of("/proc/" + pid)));
    }
}
