package dev.outpost.runtime.content;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses an OSGi-style manifest header: clauses separated by commas, each made of one or more
 * paths and {@code key=value} attributes separated by semicolons. Values may be quoted; commas and
 * semicolons inside quotes do not separate.
 *
 * <pre>bin/x86/echo; osname=Linux; processor=x86-64, bin/arm/echo; osname=Linux; processor=aarch64</pre>
 */
final class HeaderClauses {
    /** One clause: its paths and attributes (keys lower-cased, in order). */
    record Clause(List<String> paths, Map<String, String> attributes) {
    }

    private HeaderClauses() {
    }

    static List<Clause> parse(String header) {
        List<Clause> clauses = new ArrayList<>();
        for (String clause : split(header, ',')) {
            if (clause.isBlank()) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String part : split(clause, ';')) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq < 0) {
                    paths.add(unquote(p));
                } else {
                    String key = p.substring(0, eq).trim();
                    if (key.endsWith(":")) {
                        key = key.substring(0, key.length() - 1); // directive
                    }
                    attributes.put(key.toLowerCase(java.util.Locale.ROOT), unquote(p.substring(eq + 1).trim()));
                }
            }
            clauses.add(new Clause(paths, attributes));
        }
        return clauses;
    }

    /** Splits on {@code separator} outside double quotes. */
    static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    /** {@code s} without the double quotes around it, if it has them. */
    static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
