package dev.outpost.runtime.content;

import dev.outpost.api.OutpostHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a bundle's Outpost headers ask for, checked: the executable chosen for this platform, the
 * plugin's name (argv[0]), its arguments, configuration, restart policy, what its sandbox must
 * allow it, the host services it may call ({@code imports}: name to the plugin that must serve it,
 * "" for a service a Java bundle exports) and the generated interfaces of its services
 * ({@code interfaces}: service name to class name), and the SHA-256 its clause gives the executable
 * ({@code executableDigest}, or null). Every problem found is reported in one
 * {@link InvalidPluginException}.
 */
public record PluginSpec(String name, String executablePath, List<String> arguments, Map<String, String> config,
                  RestartPolicy restart, SandboxRequest sandbox, Map<String, String> imports, Map<String, String> interfaces,
                  String executableDigest) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,63}");
    /** A service name (docs/protocol.md), as an import or in Outpost-Service. */
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,127}");
    private static final Pattern JAVA_NAME = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
            + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

    /** The spec without imports or typed interfaces. */
    public PluginSpec(String name, String executablePath, List<String> arguments, Map<String, String> config,
                      RestartPolicy restart, SandboxRequest sandbox) {
        this(name, executablePath, arguments, config, restart, sandbox, Map.of(), Map.of(), null);
    }

    /** The bundle's headers do not describe a runnable plugin. */
    public static final class InvalidPluginException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidPluginException(String message) {
            super(message);
        }
    }

    /**
     * @param headers the bundle's manifest headers
     * @param platform the host platform
     * @param entryExists whether a path exists inside the bundle
     */
    public static PluginSpec parse(Function<String, String> headers, Platform platform, Predicate<String> entryExists)
            throws InvalidPluginException {
        List<String> problems = new ArrayList<>();
        String header = headers.apply(OutpostHeaders.EXECUTABLE);
        if (header == null || header.isBlank()) {
            throw new InvalidPluginException(OutpostHeaders.EXECUTABLE + " header is empty");
        }
        List<HeaderClauses.Clause> clauses = HeaderClauses.parse(header);
        String chosen = null;
        String digest = null;
        for (HeaderClauses.Clause clause : clauses) {
            if (clause.paths().size() != 1) {
                problems.add("clause '" + describe(clause) + "' must name exactly one executable");
                continue;
            }
            if (chosen == null && platform.matches(clause.attributes().get("osname"),
                    clause.attributes().get("processor"))) {
                chosen = clause.paths().get(0);
                digest = clause.attributes().get("sha-256");
            }
        }
        if (chosen == null && problems.isEmpty()) {
            problems.add("no executable for this platform (" + platform + "); the bundle offers: "
                    + clauses.stream().map(PluginSpec::describe).collect(Collectors.joining(", ")));
        }
        String path = chosen == null ? null : chosen.startsWith("/") ? chosen.substring(1) : chosen;
        if (path != null && !entryExists.test(path)) {
            problems.add("executable " + path + " is missing from the bundle");
        }

        String name = headers.apply(OutpostHeaders.NAME);
        if (name == null || name.isBlank()) {
            name = path == null ? "plugin" : path.substring(path.lastIndexOf('/') + 1);
        }
        name = name.trim();
        if (!NAME.matcher(name).matches()) {
            problems.add("plugin name '" + name + "' must be 1-64 letters, digits, '_', '.' or '-'");
        }

        List<String> arguments = new ArrayList<>();
        String args = headers.apply(OutpostHeaders.ARGUMENTS);
        if (args != null && !args.isBlank()) {
            for (String a : HeaderClauses.split(args, ',')) {
                arguments.add(HeaderClauses.unquote(a.trim()));
            }
        }

        Map<String, String> config = new LinkedHashMap<>();
        String configHeader = headers.apply(OutpostHeaders.CONFIG);
        if (configHeader != null && !configHeader.isBlank()) {
            for (String pair : HeaderClauses.split(configHeader, ',')) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    problems.add(OutpostHeaders.CONFIG + " entry '" + pair.trim() + "' is not key=value");
                } else {
                    config.put(pair.substring(0, eq).trim(), HeaderClauses.unquote(pair.substring(eq + 1).trim()));
                }
            }
        }

        RestartPolicy restart = RestartPolicy.parse(headers.apply(OutpostHeaders.RESTART), problems);
        SandboxRequest sandbox = SandboxRequest.parse(headers.apply(OutpostHeaders.SANDBOX), problems);

        Map<String, String> imports = imports(headers.apply(OutpostHeaders.IMPORT), problems);
        Map<String, String> interfaces = interfaces(headers.apply(OutpostHeaders.SERVICE), problems);

        if (!problems.isEmpty()) {
            throw new InvalidPluginException(String.join("; ", problems));
        }
        return new PluginSpec(name, path, List.copyOf(arguments), Map.copyOf(config), restart, sandbox,
                imports, interfaces, digest);
    }

    /** {@code kv, zlib; plugin=zlib}: name to the plugin that serves it, "" for a Java bundle's export. */
    private static Map<String, String> imports(String header, List<String> problems) {
        Map<String, String> imports = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        for (HeaderClauses.Clause clause : HeaderClauses.parse(header)) {
            String plugin = clause.attributes().getOrDefault("plugin", "");
            if (clause.paths().size() != 1 || !SERVICE.matcher(clause.paths().get(0)).matches()) {
                problems.add(OutpostHeaders.IMPORT + " entry '" + describe(clause) + "' is not a service name");
            } else if (!plugin.isEmpty() && !NAME.matcher(plugin).matches()) {
                problems.add(OutpostHeaders.IMPORT + " entry '" + describe(clause) + "' names no valid plugin");
            } else if (imports.putIfAbsent(clause.paths().get(0), plugin) != null) {
                problems.add(OutpostHeaders.IMPORT + " lists " + clause.paths().get(0) + " twice");
            }
        }
        return java.util.Collections.unmodifiableMap(imports);
    }

    private static Map<String, String> interfaces(String header, List<String> problems) {
        Map<String, String> interfaces = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        for (HeaderClauses.Clause clause : HeaderClauses.parse(header)) {
            String type = clause.attributes().get("interface");
            if (clause.paths().size() != 1 || !SERVICE.matcher(clause.paths().get(0)).matches()) {
                problems.add(OutpostHeaders.SERVICE + " clause '" + describe(clause) + "' must name one service");
            } else if (type == null || !JAVA_NAME.matcher(type).matches()) {
                problems.add(OutpostHeaders.SERVICE + " clause '" + describe(clause)
                        + "' needs interface=<the generated Java interface>");
            } else if (interfaces.putIfAbsent(clause.paths().get(0), type) != null) {
                problems.add(OutpostHeaders.SERVICE + " names service " + clause.paths().get(0) + " twice");
            }
        }
        return Map.copyOf(interfaces);
    }

    private static String describe(HeaderClauses.Clause clause) {
        StringBuilder s = new StringBuilder(String.join(";", clause.paths()));
        clause.attributes().forEach((k, v) -> s.append("; ").append(k).append('=').append(v));
        return s.toString();
    }
}
