package dev.outpost.runtime;

import dev.outpost.api.Plugins;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.extender.PluginEvents;
import dev.outpost.runtime.extender.PluginExtender;
import dev.outpost.runtime.process.PluginHost;
import dev.outpost.runtime.shell.OutpostCommands;
import java.lang.System.Logger.Level;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Starts the Outpost runtime in a framework: the shared threads, the extender, the
 * {@link Plugins} service and the shell commands ({@link OutpostCommands}). Works as the activator of the runtime bundle in any OSGi R7+
 * framework, and as a system bundle activator of the embedded Felix ({@link Launcher}).
 * Stopping it stops every plugin process and reaps it before returning.
 */
public final class OutpostActivator implements BundleActivator {
    private static final System.Logger LOG = System.getLogger(OutpostActivator.class.getName());

    private PluginHost host;
    private PluginExtender extender;
    private PluginEvents events;
    private ServiceRegistration<Plugins> registration;
    private ServiceRegistration<OutpostCommands> commands;

    @Override
    public void start(BundleContext context) throws Exception {
        RuntimeConfig config = RuntimeConfig.from(context::getProperty);
        host = new PluginHost(config, context::getProperty);
        events = new PluginEvents(context);
        extender = new PluginExtender(context, host, events);
        registration = context.registerService(Plugins.class, extender, null);
        extender.open();
        commands = context.registerService(OutpostCommands.class, new OutpostCommands(context, extender),
                OutpostCommands.serviceProperties());
        LOG.log(Level.DEBUG, "Outpost runtime started");
    }

    @Override
    public void stop(BundleContext context) {
        if (commands != null) {
            try {
                commands.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the framework
            }
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the framework
            }
        }
        if (extender != null) {
            extender.close();
        }
        if (events != null) {
            events.close();
        }
        if (host != null) {
            host.close();
        }
    }
}
