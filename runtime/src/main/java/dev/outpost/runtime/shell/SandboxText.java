package dev.outpost.runtime.shell;

import dev.outpost.api.PluginSandbox;
import java.util.Locale;

/** How the shell prints a plugin's confinement and its usage. Stateless. */
final class SandboxText {
    private SandboxText() {
    }

    /** "12.3 MiB/64 MiB": memory against its limit, for outpost:list; null when not measured. */
    static String memoryAgainstLimit(PluginSandbox s) {
        if (s.memoryBytes() < 0) {
            return null;
        }
        return bytes(s.memoryBytes()) + (s.memoryLimit() < 0 ? "" : "/" + bytes(s.memoryLimit()));
    }

    /** The lines of outpost:show about the sandbox, each "key: value", indented continuation lines. */
    static String describe(PluginSandbox s) {
        StringBuilder b = new StringBuilder();
        if (!s.confined()) {
            b.append(String.format(Locale.ROOT, "%-9s %s%n", "sandbox:", "none: the plugin runs as the host's user,"
                    + " with its files, its network and no limits"));
        } else {
            b.append(String.format(Locale.ROOT, "%-9s %s%n", "sandbox:", s.inForce().size() + " protections"));
            s.inForce().forEach(line -> b.append("          - ").append(line).append('\n'));
            b.append(String.format(Locale.ROOT, "%-9s %s%n", "usage:", usage(s)));
        }
        if (!s.unavailable().isEmpty()) {
            b.append(String.format(Locale.ROOT, "%-9s %s%n", "missing:", s.unavailable().size()
                    + " protection(s) this host cannot give"));
            s.unavailable().forEach(line -> b.append("          - ").append(line).append('\n'));
        }
        return b.toString();
    }

    private static String usage(PluginSandbox s) {
        return "memory " + (s.memoryBytes() < 0 ? "-" : bytes(s.memoryBytes()))
                + (s.memoryLimit() < 0 ? "" : " of " + bytes(s.memoryLimit()))
                + ", tasks " + (s.tasks() < 0 ? "-" : String.valueOf(s.tasks()))
                + (s.tasksLimit() < 0 ? "" : " of " + s.tasksLimit())
                + ", cpu " + String.format(Locale.ROOT, "%.2f s", s.cpuTime().toNanos() / 1e9)
                + ", oom kills " + s.oomKills();
    }

    private static String bytes(long n) {
        if (n < 10 * 1024) {
            return n + " B";
        }
        if (n < 10L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 10L * 1024 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    }
}
