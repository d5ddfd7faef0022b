package dev.outpost.console;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.apache.felix.gogo.jline.Builtin;
import org.apache.felix.gogo.jline.Converters;
import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The commands and converters of org.apache.felix.gogo.jline (gosh, help, history, cat, grep, if,
 * each, ...), registered exactly as that bundle's own activator registers them. The console bundle
 * uses gogo.jline as a library instead of starting it, because its activator also opens a console
 * whose terminal takes the process's signals.
 */
final class GogoCommands implements AutoCloseable {
    private static final String SCOPE = "gogo";

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    /** Registers the commands; {@code shell} provides gosh, sh, source and help. */
    static GogoCommands register(BundleContext context, CommandProcessor processor, Shell shell) {
        GogoCommands commands = new GogoCommands();
        BundleContext system = context.getBundle(0).getBundleContext();
        commands.add(context, Converter.class.getName(), new Converters(system), null);
        commands.add(context, Builtin.class.getName(), new Builtin(), functions(Builtin.class));
        commands.add(context, Procedural.class.getName(), new Procedural(), functions(Procedural.class));
        commands.add(context, Posix.class.getName(), new Posix(processor), functions(Posix.class));
        commands.add(context, Shell.class.getName(), shell, functions(Shell.class));
        return commands;
    }

    private void add(BundleContext context, String type, Object service, String[] functions) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(CommandProcessor.COMMAND_SCOPE, SCOPE);
        if (functions != null) {
            properties.put(CommandProcessor.COMMAND_FUNCTION, functions);
        }
        registrations.add(context.registerService(type, service, properties));
    }

    /** Each class lists its command names in a package-private {@code functions} field. */
    private static String[] functions(Class<?> commands) {
        try {
            Field field = commands.getDeclaredField("functions");
            field.setAccessible(true);
            return ((String[]) field.get(null)).clone();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("this gogo.jline has no command list in " + commands.getName() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the bundle
            }
        }
        registrations.clear();
    }
}
