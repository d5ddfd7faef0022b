package dev.outpost.packager;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.content.PluginSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code Outpost-*} header values made from the command line, and their check: the runtime's
 * own reading of them ({@link PluginSpec#parse}), on each platform the bundle is for, so that what a
 * host would refuse is refused here, when the bundle is made. What this class checks itself is
 * only what the runtime lets pass but the command line gets wrong: a header value must be one
 * line, a configuration value cannot carry a double quote, an option given twice or empty.
 */
final class Headers {
    /** The attribute of an {@link OutpostHeaders#EXECUTABLE} clause the runtime checks before it runs the entry. */
    static final String SHA_256 = "sha-256";

    /** OSGi's {@code symbolic-name}: tokens separated by dots. */
    static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*");
    /** The documented attributes of {@link OutpostHeaders#RESTART}; the runtime ignores any other. */
    private static final List<String> RESTART_KEYS = List.of("initial-delay", "max-delay", "intensity", "period");
    /** The option each header is made from, for the runtime's messages, which name the header. */
    private static final Map<String, String> OPTIONS = Map.of(OutpostHeaders.NAME, "--name",
            OutpostHeaders.ARGUMENTS, "--arguments", OutpostHeaders.CONFIG, "--config",
            OutpostHeaders.RESTART, "--restart", OutpostHeaders.SANDBOX, "--sandbox",
            OutpostHeaders.SERVICE, "--service", OutpostHeaders.IMPORT, "--import");

    private Headers() {
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
        return join(out, OutpostHeaders.CONFIG);
    }

    /** The values as given (each already comma-separated), joined by commas. */
    static String arguments(List<String> arguments) throws PackagingException {
        return join(arguments, OutpostHeaders.ARGUMENTS);
    }

    /**
     * Clauses {@code SERVICE} (a service a Java bundle exports) or {@code SERVICE; plugin=PLUGIN}
     * (that plugin's service), each option value one or more, comma-separated.
     */
    static String imports(List<String> imports) throws PackagingException {
        List<String> clauses = new ArrayList<>();
        for (String clause : clauses("--import", imports)) {
            String[] parts = clause.split(";", -1);
            String name = parts[0].trim(), plugin = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                int eq = p.indexOf('=');
                if (eq < 0 || !p.substring(0, eq).trim().equals("plugin") || plugin != null) {
                    throw new PackagingException("--import '" + clause + "': the one attribute an import"
                            + " takes is plugin=PLUGIN (the plugin whose service it is)");
                }
                plugin = unquote(p.substring(eq + 1).trim());
            }
            clauses.add(plugin == null ? name : name + "; plugin=" + plugin);
        }
        return join(clauses, OutpostHeaders.IMPORT);
    }

    /** Clauses {@code SERVICE; interface=JAVA_INTERFACE}, each option value one or more, comma-separated. */
    static String services(List<String> services) throws PackagingException {
        return join(clauses("--service", services), OutpostHeaders.SERVICE);
    }

    /** {@code POLICY[; KEY=MILLIS-OR-COUNT]...}, as given. */
    static String restart(String restart) throws PackagingException {
        if (restart == null) {
            return null;
        }
        if (restart.isBlank()) {
            throw new PackagingException("--restart is empty; leave it out for the host's default");
        }
        String[] parts = restart.split(";", -1);
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
        }
        return single(restart.trim(), OutpostHeaders.RESTART);
    }

    /** {@code KEY=VALUE[; KEY=VALUE]...}, as given. */
    static String sandbox(String sandbox) throws PackagingException {
        if (sandbox == null) {
            return null;
        }
        if (sandbox.isBlank()) {
            throw new PackagingException("--sandbox is empty; leave it out for the host's defaults");
        }
        return single(sandbox.trim(), OutpostHeaders.SANDBOX);
    }

    /**
     * Reads {@code headers} as the runtime does, once for each platform, and returns the last
     * reading. {@code entries} are the paths the bundle carries.
     */
    static PluginSpec check(Map<String, String> headers, List<Platform> platforms, Set<String> entries)
            throws PackagingException {
        PluginSpec spec = null;
        for (Platform platform : platforms) {
            try {
                spec = PluginSpec.parse(headers::get, platform.host(), entries::contains);
            } catch (PluginSpec.InvalidPluginException e) {
                throw new PackagingException("the runtime would refuse the bundle on " + platform.id + ": "
                        + e.getMessage() + options(e.getMessage()));
            }
        }
        return spec;
    }

    /** {@code " (from --import, --sandbox)"}: the options that make the headers {@code problems} names. */
    private static String options(String problems) {
        List<String> options = new ArrayList<>();
        OPTIONS.forEach((header, option) -> {
            if (problems.contains(header)) {
                options.add(option);
            }
        });
        options.sort(null);
        return options.isEmpty() ? "" : " (from " + String.join(", ", options) + ")";
    }

    /** The comma-separated clauses of every value of {@code option}, trimmed; an empty one is refused. */
    private static List<String> clauses(String option, List<String> values) throws PackagingException {
        List<String> clauses = new ArrayList<>();
        for (String value : values) {
            for (String clause : value.split(",", -1)) {
                if (clause.isBlank()) {
                    throw new PackagingException(option + " '" + value + "' has an empty clause");
                }
                clauses.add(clause.trim());
            }
        }
        return clauses;
    }

    private static String join(List<String> values, String header) throws PackagingException {
        if (values.isEmpty()) {
            return null;
        }
        return single(String.join(",", values), header);
    }

    /** A manifest header is one line: no line breaks, no NUL. */
    static String single(String value, String header) throws PackagingException {
        if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
            throw new PackagingException(header + " must not contain a line break or NUL");
        }
        return value;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
