package dev.outpost.runtime.deploy;

import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import java.io.IOException;
import java.io.InputStream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Updates a bundle whose plugin is serving through {@link Plugins#update}, so no call fails. */
final class HotReload {
    /** Opens the new content. */
    interface Content {
        InputStream open() throws IOException;
    }

    private HotReload() {
    }

    /**
     * Hot-reloads {@code bundle} if it carries a serving plugin; returns false (having done
     * nothing) otherwise, so the caller updates it the ordinary way.
     */
    static boolean tryUpdate(BundleContext context, Bundle bundle, Content content) throws IOException {
        ServiceReference<Plugins> ref = context.getServiceReference(Plugins.class);
        Plugins plugins = ref == null ? null : context.getService(ref);
        if (plugins == null) {
            return false;
        }
        try {
            boolean serving = plugins.forBundle(bundle.getBundleId())
                    .map(p -> p.state() == PluginState.RUNNING).orElse(false);
            if (!serving) {
                return false;
            }
            try (InputStream in = content.open()) {
                plugins.update(bundle.getBundleId(), in);
            }
            return true;
        } finally {
            context.ungetService(ref);
        }
    }
}
