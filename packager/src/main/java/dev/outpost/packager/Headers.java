package dev.outpost.packager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code Outpost-*} header names (the same as {@code dev.outpost.api.OutpostHeaders}, which this
 * jar does not depend on) and their values made from the command line, checked for the form the
 * runtime reads ({@code dev.outpost.runtime.content.PluginSpec}): a mistake is refused here, when
 * the bundle is made, rather than when a host installs it.
 */
final class Headers {
    static final String EXECUTABLE = "Outpost-Executable";
    static final String NAME = "Outpost-Name";
    static final String ARGUMENTS = "Outpost-Arguments";
    static final String CONFIG = "Outpost-Config";
    static final String RESTART = "Outpost-Restart";
    static final String SANDBOX = "Outpost-Sandbox";
    static final String SERVICE = "Outpost-Service";
    static final String IMPORT = "Outpost-Import";
    /** The attribute of an {@link #EXECUTABLE} clause the runtime checks before it runs the entry. */
    static final String SHA_256 = "sha-256";

    /** The runtime's rule for a plugin name (argv[0]). */
    static final Pattern PLUGIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,63}");
    /** OSGi's {@code symbolic-name}: tokens separated by dots. */
    static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*");
    /** A service name, as the runtime reads it in Outpost-Import and Outpost-Service. */
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,127}");
    private static final Pattern JAVA_NAME = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
            + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");
    private static final List<String> RESTART_POLICIES = List.of("never", "on-failure", "on-demand");
    private static final List<String> RESTART_KEYS = List.of("initial-delay", "max-delay", "intensity", "period");
    private static final List<String> SANDBOX_KEYS = List.of("memory", "tasks", "cpu", "files", "file-size",
            "network", "read", "profile");

    private Headers() {
    }

    static String name(String name) throws PackagingException {
        if (!PLUGIN_NAME.matcher(name).matches()) {
            throw new PackagingException("--name '" + name + "' must be 1-64 letters, digits, '_', '.' or '-',"
                    + " not starting with '.' or '-'");
        }
        return name;
    }

    static String symbolicName(String symbolicName, boolean given) throws PackagingException {
        if (!SYMBOLIC_NAME.matcher(symbolicName).matches()) {
            throw new PackagingException((given ? "--symbolic-name '" + symbolicName + "'"
                    : "the name '" + symbolicName + "' is no OSGi symbolic name; give --symbolic-name, which")
                    + " must be dot-separated parts of letters, digits, '_' and '-', e.g. org.example.echo");
        }
        return symbolicName;
    }

    /** {@code key=value} pairs; a value with a comma is quoted, one with a double quote refused. */
    static String config(List<String> pairs) throws PackagingException {
        Map<String, String> config = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? "" : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (key.isEmpty()) {
                throw new PackagingException("--config '" + pair + "' must be KEY=VALUE");
            }
            if (key.contains(",") || key.contains("\"")) {
                throw new PackagingException("--config key '" + key + "' must not contain ',' or '\"'");
            }
            if (value.contains("\"")) {
                throw new PackagingException("--config " + key + ": the value must not contain '\"' (the header has no escape for it)");
            }
            if (config.put(key, value.contains(",") ? '"' + value + '"' : value) != null) {
                throw new PackagingException("--config gives " + key + " twice");
            }
        }
        List<String> out = new ArrayList<>();
        config.forEach((k, v) -> out.add(k + "=" + v));
        return join(out, CONFIG);
    }

    /** The values as given (each already comma-separated), joined by commas. */
    static String arguments(List<String> arguments) throws PackagingException {
        return join(arguments, ARGUMENTS);
    }

    /**
     * Clauses {@code SERVICE} (a service a Java bundle exports) or {@code SERVICE; plugin=PLUGIN}
     * (that plugin's service), each option value one or more, comma-separated.
     */
    static String imports(List<String> imports) throws PackagingException {
        Map<String, String> clauses = new LinkedHashMap<>();
        for (String value : imports) {
            for (String clause : value.split(",", -1)) {
                String[] parts = clause.split(";", -1);
                String name = parts[0].trim(), plugin = null;
                if (!SERVICE_NAME.matcher(name).matches()) {
                    throw new PackagingException("--import '" + clause.trim() + "' is not a service name"
                            + " (a letter or '_', then letters, digits, '_', '.' or '-'), optionally with '; plugin=PLUGIN'");
                }
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    int eq = p.indexOf('=');
                    if (eq < 0 || !p.substring(0, eq).trim().equals("plugin") || plugin != null) {
                        throw new PackagingException("--import '" + clause.trim() + "': the one attribute an import"
                                + " takes is plugin=PLUGIN (the plugin whose service it is)");
                    }
                    plugin = unquote(p.substring(eq + 1).trim());
                    if (!PLUGIN_NAME.matcher(plugin).matches()) {
                        throw new PackagingException("--import '" + clause.trim() + "': plugin '" + plugin
                                + "' is not a plugin name");
                    }
                }
                if (clauses.putIfAbsent(name, plugin == null ? name : name + "; plugin=" + plugin) != null) {
                    throw new PackagingException("--import names " + name + " twice");
                }
            }
        }
        return join(new ArrayList<>(clauses.values()), IMPORT);
    }

    /** Clauses {@code SERVICE; interface=JAVA_INTERFACE}; the service names and interfaces, in order. */
    static Map<String, String> services(List<String> services) throws PackagingException {
        Map<String, String> interfaces = new LinkedHashMap<>();
        for (String value : services) {
            for (String clause : value.split(",", -1)) {
                String name = null, type = null;
                for (String part : clause.split(";", -1)) {
                    String p = part.trim();
                    int eq = p.indexOf('=');
                    if (eq < 0 && name == null && !p.isEmpty()) {
                        name = p;
                    } else if (eq > 0 && p.substring(0, eq).trim().equals("interface") && type == null) {
                        type = unquote(p.substring(eq + 1).trim());
                    } else {
                        name = type = null;
                        break;
                    }
                }
                if (name == null || type == null || !SERVICE_NAME.matcher(name).matches()
                        || !JAVA_NAME.matcher(type).matches()) {
                    throw new PackagingException("--service '" + clause.trim() + "' must be SERVICE; interface=JAVA_INTERFACE,"
                            + " e.g. 'zlib; interface=org.example.zlib.Zlib'");
                }
                if (interfaces.putIfAbsent(name, type) != null) {
                    throw new PackagingException("--service names service " + name + " twice");
                }
            }
        }
        return interfaces;
    }

    static String service(Map<String, String> interfaces) throws PackagingException {
        List<String> clauses = new ArrayList<>();
        interfaces.forEach((name, type) -> clauses.add(name + "; interface=" + type));
        return join(clauses, SERVICE);
    }

    /** {@code POLICY[; KEY=MILLIS-OR-COUNT]...}, as given. */
    static String restart(String restart) throws PackagingException {
        if (restart == null) {
            return null;
        }
        String[] parts = restart.split(";", -1);
        String policy = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!RESTART_POLICIES.contains(policy)) {
            throw new PackagingException("--restart: policy '" + parts[0].trim() + "' is not one of "
                    + String.join(", ", RESTART_POLICIES));
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq).trim();
            if (!RESTART_KEYS.contains(key)) {
                throw new PackagingException("--restart: unknown attribute '" + p + "' (known: "
                        + String.join(", ", RESTART_KEYS) + ")");
            }
            if (!seen.add(key)) {
                throw new PackagingException("--restart gives " + key + " twice");
            }
            String value = eq < 0 ? "" : p.substring(eq + 1).trim();
            if (!value.matches("[0-9]{1,9}")) {
                throw new PackagingException("--restart " + key + "=" + value + " must be a number"
                        + (key.equals("intensity") ? "" : " of milliseconds"));
            }
        }
        return single(restart.trim(), RESTART);
    }

    /** {@code KEY=VALUE[; KEY=VALUE]...} with the runtime's keys, as given; values are the host's to judge. */
    static String sandbox(String sandbox) throws PackagingException {
        if (sandbox == null) {
            return null;
        }
        if (sandbox.isBlank()) {
            throw new PackagingException("--sandbox is empty; leave it out for the host's defaults");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String entry : sandbox.split(";", -1)) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new PackagingException("--sandbox entry '" + e + "' must be KEY=VALUE, e.g. 'memory=64m; tasks=16'");
            }
            String key = e.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!SANDBOX_KEYS.contains(key)) {
                throw new PackagingException("--sandbox: unknown key '" + key + "' (known: " + String.join(", ", SANDBOX_KEYS) + ")");
            }
            if (!key.equals("read") && !seen.add(key)) {
                throw new PackagingException("--sandbox gives " + key + " twice");
            }
        }
        return single(sandbox.trim(), SANDBOX);
    }

    private static String join(List<String> values, String header) throws PackagingException {
        if (values.isEmpty()) {
            return null;
        }
        return single(String.join(",", values), header);
    }

    /** A manifest header is one line: no line breaks, no NUL. */
    private static String single(String value, String header) throws PackagingException {
        if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
            throw new PackagingException(header + " must not contain a line break or NUL");
        }
        return value;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
