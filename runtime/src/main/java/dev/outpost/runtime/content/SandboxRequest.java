package dev.outpost.runtime.content;

import dev.outpost.api.OutpostHeaders;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a bundle's {@code Outpost-Sandbox} header asks of the sandbox, checked for form only (the
 * host's ceilings are the sandbox package's business). Null, for each limit: not asked, the host's
 * default applies. A plain value.
 *
 * @param memory bytes of memory
 * @param tasks processes and threads
 * @param cpu cores of CPU time (0.5: half of one)
 * @param files open descriptors (RLIMIT_NOFILE)
 * @param fileSize bytes per file written (RLIMIT_FSIZE)
 * @param network {@code none}, {@code connect} or {@code any}
 * @param read absolute paths to read beyond what every plugin may read
 * @param profile the system call profile: {@code default} or {@code compute}
 */
public record SandboxRequest(Long memory, Integer tasks, Double cpu, Integer files, Long fileSize, String network,
                             List<String> read, String profile) {
    /** Nothing asked: the host's defaults. */
    public static final SandboxRequest DEFAULTS = new SandboxRequest(null, null, null, null, null, null, List.of(), null);
    public static final List<String> NETWORKS = List.of("none", "connect", "any");
    public static final List<String> PROFILES = List.of("default", "compute");
    private static final String KEYS = "memory, tasks, cpu, files, file-size, network, read, profile";
    private static final int MAX_READ_PATHS = 16, MAX_PATH_BYTES = 1024;

    public SandboxRequest {
        read = List.copyOf(read);
    }

    /**
     * Parses the header's value (null or blank: {@link #DEFAULTS}); each problem found is added to
     * {@code problems}, naming the header, the key and what was wrong.
     */
    static SandboxRequest parse(String header, List<String> problems) {
        if (header == null || header.isBlank()) {
            return DEFAULTS;
        }
        Long memory = null, fileSize = null;
        Integer tasks = null, files = null;
        Double cpu = null;
        String network = null, profile = null;
        Set<String> read = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String entry : HeaderClauses.split(header, ';')) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0) {
                problems.add(OutpostHeaders.SANDBOX + " entry '" + e + "' is not key=value");
                continue;
            }
            String key = e.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = HeaderClauses.unquote(e.substring(eq + 1).trim());
            if (!key.equals("read") && !seen.add(key)) {
                problems.add(OutpostHeaders.SANDBOX + " asks for " + key + " twice");
                continue;
            }
            String where = OutpostHeaders.SANDBOX + " " + key + "=" + value;
            switch (key) {
                case "memory" -> memory = size(value, where, problems);
                case "file-size" -> fileSize = size(value, where, problems);
                case "tasks" -> tasks = count(value, where, problems);
                case "files" -> files = count(value, where, problems);
                case "cpu" -> cpu = cores(value, where, problems);
                case "network" -> network = oneOf(value, NETWORKS, where, problems);
                case "profile" -> profile = oneOf(value, PROFILES, where, problems);
                case "read" -> paths(value, where, read, problems);
                default -> problems.add(OutpostHeaders.SANDBOX + " has an unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        if (read.size() > MAX_READ_PATHS) {
            problems.add(OutpostHeaders.SANDBOX + " asks to read " + read.size() + " paths, at most " + MAX_READ_PATHS);
        }
        return new SandboxRequest(memory, tasks, cpu, files, fileSize, network, new ArrayList<>(read), profile);
    }

    /**
     * Bytes, with an optional binary suffix k, m, g or t ({@code 64m}: 64 MiB).
     *
     * @throws IllegalArgumentException when it is not such a size, or is zero
     */
    public static long parseSize(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int shift = -1; // no suffix
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = -1;
            }
        }
        String digits = shift >= 0 ? v.substring(0, v.length() - 1) : v;
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 15) {
            throw new IllegalArgumentException("'" + value + "' is not a size such as 64m, 512k or 1g");
        }
        long n = Long.parseLong(digits);
        int s = Math.max(0, shift);
        if (n == 0 || n > (Long.MAX_VALUE >> s)) {
            throw new IllegalArgumentException("'" + value + "' is not a size between 1 byte and 8 EiB");
        }
        return n << s;
    }

    private static Long size(String value, String where, List<String> problems) {
        try {
            return parseSize(value);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return null;
        }
    }

    private static Integer count(String value, String where, List<String> problems) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(where + ": not a whole number above 0");
        return null;
    }

    private static Double cores(String value, String where, List<String> problems) {
        try {
            double d = Double.parseDouble(value.trim());
            if (d >= 0.01 && d <= 4096 && !value.trim().matches(".*[a-zA-Z].*")) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(where + ": not a number of cores between 0.01 and 4096, such as 0.5");
        return null;
    }

    private static String oneOf(String value, List<String> allowed, String where, List<String> problems) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (allowed.contains(v)) {
            return v;
        }
        problems.add(where + ": must be one of " + String.join(", ", allowed));
        return null;
    }

    private static void paths(String value, String where, Set<String> read, List<String> problems) {
        for (String p : value.split(":")) {
            String path = p.trim();
            if (path.isEmpty()) {
                continue;
            }
            if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.length() > MAX_PATH_BYTES
                    || List.of(path.split("/")).contains("..")) {
                problems.add(where + ": '" + path + "' is not an absolute path without '..'");
            } else {
                read.add(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            }
        }
    }
}
