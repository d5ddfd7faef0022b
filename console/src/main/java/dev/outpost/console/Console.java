package dev.outpost.console;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The Gogo shell ({@code gosh --login} of org.apache.felix.gogo.jline: its prompt, line editing,
 * completion and history) on the process's terminal. The one difference from gogo.jline's own
 * console: the shell does not take the process's SIGINT, which stays with the launcher,
 * and Ctrl-C stops Outpost (every plugin stopped and reaped), whether at the prompt or while a
 * command runs. Ctrl-D or {@code exit} ends the shell, which stops the framework as well.
 *
 * <p>Owns the terminal (its modes are restored on {@link #close()}), the session and one thread,
 * {@code outpost-console}, which {@link #close()} interrupts and waits for.
 */
final class Console implements AutoCloseable {
    private static final long JOIN_MS = 2_000;

    private final Shell shell;
    private final Terminal terminal;
    private final CommandSession session;
    private final Thread thread;
    private volatile boolean closing;

    private Console(Shell shell, Terminal terminal, CommandSession session) {
        this.shell = shell;
        this.terminal = terminal;
        this.session = session;
        this.thread = new Thread(this::run, "outpost-console");
    }

    static Console open(Shell shell, CommandProcessor processor) throws IOException {
        Terminal terminal = systemTerminal();
        CommandSession session = processor.createSession(terminal.input(), terminal.output(), terminal.output());
        session.put(Shell.VAR_TERMINAL, leavingInterruptsAlone(terminal));
        Console console = new Console(shell, terminal, session);
        console.thread.start();
        return console;
    }

    private static Terminal systemTerminal() throws IOException {
        // jline finds its terminal providers (exec, jni, ffm) through the context class loader;
        // with another bundle's it finds none and falls back to a dumb terminal
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            return TerminalBuilder.builder().name("outpost").system(true).nativeSignals(false).build();
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    /**
     * The terminal as gosh and jline's line reader see it: all of it, except that their SIGINT
     * handlers are not installed (jline would install each one as the process's handler, so that
     * Ctrl-C only cancelled the line).
     */
    private static Terminal leavingInterruptsAlone(Terminal terminal) {
        InvocationHandler calls = (proxy, method, args) -> {
            if (method.getName().equals("handle") && args != null && args[0] == Terminal.Signal.INT) {
                return Terminal.SignalHandler.SIG_DFL;
            }
            try {
                return method.invoke(terminal, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Terminal) Proxy.newProxyInstance(Terminal.class.getClassLoader(), new Class<?>[] {Terminal.class}, calls);
    }

    private void run() {
        try {
            shell.gosh(session, new String[] {"--login"});
        } catch (Exception e) {
            if (!closing) {
                System.err.println("outpost: the console ended: " + e);
            }
        }
    }

    /** Ends the shell and gives the terminal back as it was. Idempotent. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        shell.stop();
        thread.interrupt();
        try {
            thread.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        session.close();
        try {
            terminal.close();
        } catch (IOException e) {
            System.err.println("outpost: the terminal did not close cleanly: " + e);
        }
    }
}
