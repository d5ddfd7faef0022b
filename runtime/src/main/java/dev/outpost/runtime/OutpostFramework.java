package dev.outpost.runtime;

import dev.outpost.api.PluginService;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.Felix;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * Embeds Outpost in a Java application: an Apache Felix framework whose system bundle exports
 * the Outpost API (and protobuf, which the API uses) and runs the Outpost runtime. Install plugin
 * bundles into the returned framework and find their services as {@link PluginService}s.
 *
 * <p>The caller owns the returned framework: {@code stop()} it (and {@code waitForStop}) to stop
 * every plugin process; each is reaped before the framework finishes stopping.
 */
public final class OutpostFramework {
    /** Framework property naming the bundle cache directory. */
    public static final String STORAGE = Constants.FRAMEWORK_STORAGE;

    private OutpostFramework() {
    }

    /**
     * Creates and starts the framework.
     *
     * @param storage the bundle cache directory (created if needed, cleaned on first start)
     * @param properties further framework properties, including the {@code outpost.*} settings
     */
    public static Framework start(Path storage, Map<String, String> properties) throws BundleException {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        config.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        String extra = "dev.outpost.api;version=\"" + apiVersion() + "\","
                + "com.google.protobuf;version=\"" + protobufVersion() + "\"";
        Object more = properties.get(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, more == null ? extra : extra + "," + more);
        config.put("felix.systembundle.activators", List.of(new OutpostActivator()));
        Framework framework = new Felix(config);
        framework.init();
        framework.start();
        return framework;
    }

    static String apiVersion() {
        return "0.1.0";
    }

    private static String protobufVersion() {
        Package p = com.google.protobuf.MessageLite.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v != null && v.matches("\\d+\\.\\d+\\.\\d+") ? v : "3.25.5";
    }
}
