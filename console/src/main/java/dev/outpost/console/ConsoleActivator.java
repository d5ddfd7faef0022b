package dev.outpost.console;

import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Outpost shell bundle, in place of org.apache.felix.gogo.jline's activator (that bundle is
 * resolved and used as a library, never started): once Gogo's command processor is there, it
 * registers gogo.jline's commands and, when the framework property {@value #ENABLED} is
 * {@code true} (the launcher sets it unless headless), opens the {@link Console} on the process's
 * terminal. Without the property nothing takes the terminal, so the shell bundles can be installed
 * into any framework (the tests drive the commands in-process).
 */
public final class ConsoleActivator implements BundleActivator {
    /** Framework property: {@code true} opens the console on the process's terminal. */
    public static final String ENABLED = "outpost.console";

    private ServiceTracker<CommandProcessor, Shell> tracker;

    @Override
    public void start(BundleContext context) {
        boolean console = Boolean.parseBoolean(context.getProperty(ENABLED));
        tracker = new ServiceTracker<>(context, CommandProcessor.class, null) {
            private GogoCommands commands;
            private Console open;

            @Override
            public Shell addingService(ServiceReference<CommandProcessor> reference) {
                synchronized (this) {
                    if (commands != null) {
                        return null; // one shell, for the first processor
                    }
                    CommandProcessor processor = context.getService(reference);
                    Shell shell = new Shell(new FrameworkContext(context), processor);
                    commands = GogoCommands.register(context, processor, shell);
                    if (console) {
                        try {
                            open = Console.open(shell, processor);
                        } catch (java.io.IOException | RuntimeException e) {
                            System.err.println("outpost: no console: " + e);
                        }
                    }
                    return shell;
                }
            }

            @Override
            public void removedService(ServiceReference<CommandProcessor> reference, Shell shell) {
                synchronized (this) {
                    if (open != null) {
                        open.close();
                        open = null;
                    }
                    commands.close();
                    commands = null;
                    context.ungetService(reference);
                }
            }
        };
        tracker.open();
    }

    @Override
    public void stop(BundleContext context) {
        tracker.close();
    }

    /** What gosh needs of its host: framework properties, and stopping the framework when the shell exits. */
    private static final class FrameworkContext implements Shell.Context {
        private final BundleContext context;

        FrameworkContext(BundleContext context) {
            this.context = context;
        }

        @Override
        public String getProperty(String name) {
            return context.getProperty(name);
        }

        @Override
        public void exit() throws BundleException {
            context.getBundle(0).stop();
        }
    }
}
