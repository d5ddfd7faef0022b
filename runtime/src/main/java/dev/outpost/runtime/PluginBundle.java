package dev.outpost.runtime;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;

/**
 * A bundle that carries a plugin, while it is active: its checked headers, the executable image
 * read out of it, and the process running that image. Owns the image and the process.
 */
final class PluginBundle {
    private static final System.Logger LOG = System.getLogger(PluginBundle.class.getName());

    private final Bundle bundle;
    private final PluginHost host;
    private volatile PluginProcess process;
    private volatile ExecutableImage image;
    private volatile String failure;
    private volatile String name;

    PluginBundle(Bundle bundle, PluginHost host) {
        this.bundle = bundle;
        this.host = host;
        this.name = bundle.getSymbolicName();
    }

    /** Checks the headers, loads the executable and starts its process; never throws. */
    void start() {
        PluginSpec spec;
        try {
            spec = PluginSpec.parse(key -> bundle.getHeaders().get(key), Platform.current(),
                    path -> bundle.getEntry(path) != null);
            name = spec.name();
            image = ExecutableImage.load(spec.name(), read(spec.executablePath()));
        } catch (PluginSpec.InvalidPluginException | IOException e) {
            failure = "bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId() + "] cannot run its plugin: "
                    + e.getMessage();
            LOG.log(Level.ERROR, failure);
            return;
        }
        PluginProcess p = new PluginProcess(host, bundle.getBundleId(), spec, image,
                new ServiceRegistrar(bundle.getBundleContext()));
        process = p;
        p.start();
    }

    private byte[] read(String path) throws IOException {
        URL entry = bundle.getEntry(path);
        if (entry == null) {
            throw new IOException("executable " + path + " is missing from the bundle");
        }
        try (InputStream in = entry.openStream()) {
            return in.readAllBytes();
        }
    }

    /** Stops the process (returns when it is reaped) and releases the image. Idempotent. */
    void stop() {
        PluginProcess p = process;
        if (p != null) {
            p.stop();
        }
        ExecutableImage i = image;
        if (i != null) {
            i.close();
        }
    }

    /** Stops the current process (reaped before this returns) and starts a new one. */
    synchronized void restart() {
        PluginProcess old = process;
        if (old == null) {
            start();
            return;
        }
        old.stop();
        PluginProcess p = new PluginProcess(host, bundle.getBundleId(), old.spec(), image,
                new ServiceRegistrar(bundle.getBundleContext()));
        process = p;
        p.start();
    }

    Optional<PluginProcess> process() {
        return Optional.ofNullable(process);
    }

    PluginInfo info() {
        PluginProcess p = process;
        if (p != null) {
            return p.info(0, 0, 0);
        }
        return new PluginInfo(name, "", bundle.getBundleId(), failure == null ? PluginState.NEW : PluginState.FAILED, 0,
                Optional.empty(), 0, 0, 0, Optional.empty(), Optional.ofNullable(failure), List.of());
    }
}
