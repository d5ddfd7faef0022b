package dev.outpost.runtime.shell;

import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import dev.outpost.runtime.content.BundleJar;
import dev.outpost.runtime.process.ProcStatus;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The shell's {@code outpost:*} commands. Registered as a service with {@code osgi.command.scope}
 * and {@code osgi.command.function}, so Gogo (or any shell that follows the OSGi convention) finds
 * them; each is a plain method returning the text to print, usable without any shell. Public only
 * because shells call the methods by reflection. A plugin is named by its bundle id or its name.
 * Every method answers with a message, never an exception, when the plugin is not there.
 */
public final class OutpostCommands {
    /** The service property values that make these methods shell commands. */
    static final String SCOPE = "outpost";
    static final String[] FUNCTIONS = {"list", "show", "call", "restart", "stop", "stderr"};
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final BundleContext context;
    private final Plugins plugins;

    public OutpostCommands(BundleContext context, Plugins plugins) {
        this.context = context;
        this.plugins = plugins;
    }

    /** The properties to register this object with. */
    public static Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("osgi.command.scope", SCOPE);
        p.put("osgi.command.function", FUNCTIONS.clone());
        return p;
    }

    /**
     * One line per plugin: name, bundle, state, pid, uptime, restarts, memory (its cgroup's
     * against its limit where it has one, else resident), calls, errors.
     */
    public String list() {
        List<PluginInfo> all = plugins.list();
        if (all.isEmpty()) {
            return "no plugins (a plugin is an active bundle with an Outpost-Executable header)";
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-16s %6s %-8s %7s %9s %8s %19s %8s %6s%n",
                "NAME", "BUNDLE", "STATE", "PID", "UPTIME", "RESTARTS", "MEMORY/LIMIT", "CALLS", "ERRORS"));
        for (PluginInfo p : all) {
            String memory = p.state().isTerminal() ? null : SandboxText.memoryAgainstLimit(p.sandbox());
            s.append(String.format(Locale.ROOT, "%-16s %6d %-8s %7s %9s %8d %19s %8d %6d%n", p.name(), p.bundleId(),
                    p.state(), p.pid() == 0 ? "-" : String.valueOf(p.pid()), uptime(p), p.restarts(),
                    memory != null ? memory : rss(p), p.calls(), p.errors()));
        }
        return s.toString().stripTrailing();
    }

    /** Everything known about one plugin. */
    public String show(String plugin) {
        Optional<PluginInfo> found = find(plugin);
        if (found.isEmpty()) {
            return notFound(plugin);
        }
        PluginInfo p = found.get();
        Bundle b = context.getBundle(p.bundleId());
        StringBuilder s = new StringBuilder();
        line(s, "name", p.name());
        line(s, "version", p.version().isEmpty() ? "(no handshake yet)" : p.version());
        line(s, "bundle", p.bundleId() + (b == null ? "" : " " + b.getSymbolicName() + " " + b.getVersion()
                + " from " + b.getLocation()));
        line(s, "state", p.state().toString());
        line(s, "pid", p.pid() == 0 ? "-" : String.valueOf(p.pid()));
        line(s, "started", p.startedAt().map(Instant::toString).orElse("-"));
        line(s, "uptime", uptime(p));
        line(s, "memory", rss(p) + " resident");
        line(s, "restarts", String.valueOf(p.restarts()));
        line(s, "calls", p.calls() + " (" + p.errors() + " failed)");
        line(s, "services", String.join(", ", services(p.bundleId())));
        line(s, "verified", p.verification().orElse("(not loaded yet)"));
        p.exitDescription().ifPresent(e -> line(s, "exit", e));
        p.failure().ifPresent(f -> line(s, "failure", f));
        line(s, "stderr", p.recentStderr().isEmpty() ? "(nothing)" : p.recentStderr().size() + " recent line(s); see outpost:stderr");
        s.append(SandboxText.describe(p.sandbox()));
        return s.toString().stripTrailing();
    }

    /**
     * Calls a method with the UTF-8 bytes of {@code text} and shows the answer: as text when it is
     * UTF-8, else as hex. {@code plugin} may name the service too, as {@code plugin/service}; without
     * it the plugin must have exactly one service.
     */
    public String call(String plugin, String method, String text) {
        Outcome o = invoke(plugin, method, text.getBytes(StandardCharsets.UTF_8));
        return o.problem() != null ? o.problem() : show(o.answer());
    }

    /** The answer of a call, or what went wrong. */
    private record Outcome(byte[] answer, String problem) {
        static Outcome failed(String problem) {
            return new Outcome(null, problem);
        }
    }

    private Outcome invoke(String plugin, String method, byte[] payload) {
        String pluginPart = plugin.contains("/") ? plugin.substring(0, plugin.indexOf('/')) : plugin;
        String serviceName = plugin.contains("/") ? plugin.substring(plugin.indexOf('/') + 1) : null;
        Optional<PluginInfo> found = find(pluginPart);
        if (found.isEmpty()) {
            return Outcome.failed(notFound(pluginPart));
        }
        List<ServiceReference<PluginService>> refs = serviceRefs(found.get().bundleId(), serviceName);
        if (refs.size() != 1) {
            return Outcome.failed(refs.isEmpty()
                    ? found.get().name() + " has no service" + (serviceName == null ? "" : " named " + serviceName)
                            + " registered (state " + found.get().state() + ")"
                    : found.get().name() + " has several services (" + String.join(", ", services(found.get().bundleId()))
                            + "): say which, as " + pluginPart + "/SERVICE");
        }
        PluginService service = context.getService(refs.get(0));
        if (service == null) {
            return Outcome.failed(found.get().name() + ": the service went away");
        }
        try {
            return new Outcome(service.call(method, payload, CALL_TIMEOUT), null);
        } catch (PluginException e) {
            return Outcome.failed("call failed: " + e.getMessage());
        } finally {
            context.ungetService(refs.get(0));
        }
    }

    /**
     * Calls a method with a protobuf message written in text format, and shows the answer in text
     * format: {@code requestType} and {@code answerType} are message classes the plugin's bundle
     * carries, e.g. {@code outpost:call zlib compress dev.outpost.sample.zlib.CompressRequest
     * 'data: "hello" level: 9' dev.outpost.sample.zlib.CompressResponse}.
     */
    public String call(String plugin, String method, String requestType, String text, String answerType) {
        Optional<PluginInfo> found = find(plugin.contains("/") ? plugin.substring(0, plugin.indexOf('/')) : plugin);
        if (found.isEmpty()) {
            return notFound(plugin);
        }
        org.osgi.framework.Bundle bundle = context.getBundle(found.get().bundleId());
        byte[] payload;
        try {
            payload = TextFormatPayload.encode(bundle, requestType, text);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "cannot use " + requestType + " from " + found.get().name() + "'s bundle: " + e;
        } catch (com.google.protobuf.TextFormat.ParseException e) {
            return "not a " + requestType + " in text format: " + e.getMessage();
        }
        Outcome o = invoke(plugin, method, payload);
        if (o.problem() != null) {
            return o.problem();
        }
        try {
            return TextFormatPayload.decode(bundle, answerType, o.answer());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "the answer is not a " + answerType + ": " + e;
        }
    }

    /** Stops the plugin's process (reaped before this returns) and starts a new one. */
    public String restart(String plugin) {
        Optional<PluginInfo> found = find(plugin);
        if (found.isEmpty()) {
            return notFound(plugin);
        }
        PluginInfo before = found.get();
        try {
            plugins.restart(before.bundleId());
        } catch (RuntimeException e) {
            return "restart of " + before.name() + " failed: " + e.getMessage();
        }
        return "restarted " + before.name() + " (bundle " + before.bundleId() + "): pid " + before.pid()
                + " stopped and reaped, a new process is starting";
    }

    /**
     * Stops the bundles of the plugins named (a name or any bundle id); each process is reaped
     * before this returns. Gogo may pick this for an unscoped {@code stop}, so it also takes what
     * {@code felix:stop} takes: bundle ids and {@code -t} (transient).
     */
    public String stop(String... args) {
        boolean transientStop = List.of(args).contains("-t") || List.of(args).contains("--transient");
        List<String> done = new ArrayList<>();
        for (String plugin : args) {
            if (plugin.equals("-t") || plugin.equals("--transient")) {
                continue;
            }
            Optional<PluginInfo> found = find(plugin);
            Bundle b = found.map(p -> context.getBundle(p.bundleId())).orElseGet(() -> bundleById(plugin));
            if (b == null) {
                done.add(notFound(plugin));
                continue;
            }
            try {
                b.stop(transientStop ? Bundle.STOP_TRANSIENT : 0);
                done.add("stopped bundle " + b.getBundleId() + " (" + b.getSymbolicName() + ")"
                        + found.map(p -> "; process " + p.pid() + " reaped").orElse(""));
            } catch (BundleException | IllegalStateException e) {
                done.add("stopping bundle " + b.getBundleId() + " failed: " + BundleJar.describe(e));
            }
        }
        return done.isEmpty() ? "usage: stop [-t] PLUGIN-OR-BUNDLE-ID..." : String.join("\n", done);
    }

    /** The last lines the plugin's current (or last) process wrote to stderr. */
    public String stderr(String plugin) {
        Optional<PluginInfo> found = find(plugin);
        if (found.isEmpty()) {
            return notFound(plugin);
        }
        List<String> lines = found.get().recentStderr();
        return lines.isEmpty() ? "(" + found.get().name() + " wrote nothing to stderr)" : String.join("\n", lines);
    }

    private Optional<PluginInfo> find(String plugin) {
        if (plugin.chars().allMatch(Character::isDigit) && !plugin.isEmpty()) {
            return plugins.forBundle(Long.parseLong(plugin));
        }
        return plugins.list().stream().filter(p -> p.name().equals(plugin)).findFirst();
    }

    private Bundle bundleById(String plugin) {
        return plugin.chars().allMatch(Character::isDigit) && !plugin.isEmpty()
                ? context.getBundle(Long.parseLong(plugin)) : null;
    }

    private String notFound(String plugin) {
        Bundle b = bundleById(plugin);
        if (b != null) {
            return "bundle " + b.getBundleId() + " (" + b.getSymbolicName() + ", " + BundleStates.name(b.getState())
                    + ") runs no plugin";
        }
        List<String> names = plugins.list().stream().map(p -> p.name() + " [" + p.bundleId() + "]").toList();
        return "no plugin '" + plugin + "'; there are: " + (names.isEmpty() ? "none" : String.join(", ", names));
    }

    private List<ServiceReference<PluginService>> serviceRefs(long bundleId, String serviceName) {
        String filter = "(&(" + PluginServiceProperties.BUNDLE_ID + "=" + bundleId + ")"
                + (serviceName == null ? "" : "(" + PluginServiceProperties.SERVICE_NAME + "=" + serviceName + ")") + ")";
        try {
            Collection<ServiceReference<PluginService>> refs = context.getServiceReferences(PluginService.class, filter);
            return new ArrayList<>(refs);
        } catch (InvalidSyntaxException e) {
            return List.of();
        }
    }

    private List<String> services(long bundleId) {
        return serviceRefs(bundleId, null).stream()
                .map(r -> r.getProperty(PluginServiceProperties.SERVICE_NAME) + " "
                        + List.of((String[]) r.getProperty(PluginServiceProperties.METHODS)))
                .sorted().toList();
    }

    private static String uptime(PluginInfo p) {
        if (p.state() != PluginState.RUNNING && p.state() != PluginState.STARTING) {
            return "-";
        }
        return p.startedAt().map(s -> duration(Duration.between(s, Instant.now()))).orElse("-");
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }

    private static String rss(PluginInfo p) {
        OptionalLong kib = p.state().isTerminal() ? OptionalLong.empty() : ProcStatus.residentKib(p.pid());
        if (kib.isEmpty()) {
            return "-";
        }
        long k = kib.getAsLong();
        return k < 10 * 1024 ? k + " KiB" : String.format(Locale.ROOT, "%.1f MiB", k / 1024.0);
    }

    /** The answer as UTF-8 text when it is valid UTF-8 without control characters, else as hex. */
    static String show(byte[] answer) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(answer)).toString();
            if (text.chars().noneMatch(c -> c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
                return text;
            }
        } catch (CharacterCodingException binary) {
            // shown as hex below
        }
        StringBuilder hex = new StringBuilder(answer.length + " bytes:");
        for (int i = 0; i < answer.length && i < 256; i++) {
            hex.append(String.format(" %02x", answer[i]));
        }
        return answer.length > 256 ? hex.append(" ...").toString() : hex.toString();
    }

    private static void line(StringBuilder s, String key, String value) {
        s.append(String.format(Locale.ROOT, "%-9s %s%n", key + ":", value));
    }
}
