package dev.outpost.protoc;

import java.util.List;

/** Text of a generated file, built line by line with indentation (four spaces a level). */
final class Source {
    private final StringBuilder text = new StringBuilder();
    private int depth;

    /** Appends a line at the current indentation; an empty string appends an empty line. */
    Source line(String line) {
        if (!line.isEmpty()) {
            text.append("    ".repeat(depth)).append(line);
        }
        text.append('\n');
        return this;
    }

    /** Appends a line and indents what follows one level more. */
    Source open(String line) {
        line(line);
        depth++;
        return this;
    }

    /** Indents one level less and appends a line. */
    Source close(String line) {
        depth--;
        return line(line);
    }

    /** Indents what follows one level less. */
    Source dedent() {
        depth--;
        return this;
    }

    /** Appends a line one level less indented, between two blocks ({@code } else {}). */
    Source middle(String line) {
        depth--;
        line(line);
        depth++;
        return this;
    }

    /** A comment block: {@code first}, then each line after {@code prefix}, then {@code last}. */
    Source block(String first, String prefix, List<String> lines, String last) {
        line(first);
        for (String l : lines) {
            line(l.isEmpty() ? prefix.stripTrailing() : prefix + l);
        }
        return line(last);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
