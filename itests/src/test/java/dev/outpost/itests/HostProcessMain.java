package dev.outpost.itests;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import dev.outpost.runtime.OutpostFramework;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.launch.Framework;

/**
 * A host in a JVM of its own, for tests that kill the host: starts the given bundles, prints
 * "pid N" for every plugin once all serve, then "ready", and waits to be killed.
 * Arguments: the storage directory, then bundle jars.
 */
public final class HostProcessMain {
    private HostProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Framework framework = OutpostFramework.start(Path.of(args[0]), Map.of());
        BundleContext context = framework.getBundleContext();
        for (int i = 1; i < args.length; i++) {
            context.installBundle(Path.of(args[i]).toUri().toString()).start();
        }
        Plugins plugins = context.getService(context.getServiceReference(Plugins.class));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<PluginInfo> all = plugins.list();
        while (!all.stream().allMatch(p -> p.state() == PluginState.RUNNING) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
            all = plugins.list();
        }
        for (PluginInfo p : all) {
            System.out.println("pid " + p.pid() + " " + p.state());
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
