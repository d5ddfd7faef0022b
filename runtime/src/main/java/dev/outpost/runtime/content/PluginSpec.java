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
 * plugin's name (argv[0]), its arguments, configuration, restart policy and what its sandbox must
 * allow it. Every problem found is reported in one {@link InvalidPluginException}.
 */
public record PluginSpec(String name, String executablePath, List<String> arguments, Map<String, String> config,
                  RestartPolicy restart, SandboxRequest sandbox) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,63}");

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
        for (HeaderClauses.Clause clause : clauses) {
            if (clause.paths().size() != 1) {
                problems.add("clause '" + describe(clause) + "' must name exactly one executable");
                continue;
            }
            if (chosen == null && platform.matches(clause.attributes().get("osname"),
                    clause.attributes().get("processor"))) {
                chosen = clause.paths().get(0);
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

        if (!problems.isEmpty()) {
            throw new InvalidPluginException(String.join("; ", problems));
        }
        return new PluginSpec(name, path, List.copyOf(arguments), Map.copyOf(config), restart, sandbox);
    }

    private static String describe(HeaderClauses.Clause clause) {
        StringBuilder s = new StringBuilder(String.join(";", clause.paths()));
        clause.attributes().forEach((k, v) -> s.append("; ").append(k).append('=').append(v));
        return s.toString();
    }
}
