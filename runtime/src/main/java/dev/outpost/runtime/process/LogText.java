package dev.outpost.runtime.process;

/**
 * Text a plugin chose, made fit for the host's log and terminal: at most {@value #MAX_CHARS}
 * characters (the rest is counted, not kept), terminal escape sequences removed (a plugin must not
 * recolour, move the cursor of, or retitle the operator's terminal), and control characters,
 * line ends included, shown as visible escapes, so that one plugin line is one log line and cannot
 * pass for a line of the host's own. Stateless.
 */
public final class LogText {
    /** As many characters as a line of stderr may have (see {@link OutputForwarder}). */
    public static final int MAX_CHARS = 8192;

    private LogText() {
    }

    public static String clean(String text) {
        return clean(text, MAX_CHARS);
    }

    static String clean(String text, int maxChars) {
        int n = text.length();
        StringBuilder s = null;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == 0x1b) { // ESC: drop the whole sequence
                s = start(s, text, i);
                i = endOfEscape(text, i);
                continue;
            }
            if (c == 0x9b) { // the 8-bit CSI
                s = start(s, text, i);
                i = endOfCsi(text, i + 1);
                continue;
            }
            if (kept == maxChars) {
                s = start(s, text, i);
                s.append("... (").append(n - i).append(" more characters)");
                return s.toString();
            }
            boolean control = c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0;
            if (control || c == '\u2028' || c == '\u2029') {
                s = start(s, text, i);
                switch (c) {
                    case '\n' -> s.append("\\n");
                    case '\r' -> s.append("\\r");
                    default -> s.append(String.format("\\u%04x", (int) c));
                }
            } else if (s != null) {
                s.append(c);
            }
            kept++;
        }
        return s == null ? text : s.toString();
    }

    /** Starts the copy at the first character that must change. */
    private static StringBuilder start(StringBuilder s, String text, int upTo) {
        return s != null ? s : new StringBuilder(Math.min(text.length(), MAX_CHARS + 32)).append(text, 0, upTo);
    }

    /** The index of the last character of the escape sequence that starts at {@code at}. */
    private static int endOfEscape(String text, int at) {
        if (at + 1 >= text.length()) {
            return at;
        }
        char next = text.charAt(at + 1);
        if (next == '[') {
            return endOfCsi(text, at + 2);
        }
        if (next == ']' || next == 'P' || next == '_' || next == '^' || next == 'X') { // OSC, DCS, APC, PM, SOS
            for (int i = at + 2; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == 0x07) {
                    return i;
                }
                if (c == 0x1b && i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                    return i + 1;
                }
            }
            return text.length() - 1;
        }
        return at + 1; // a two-character sequence
    }

    /** The final byte of a control sequence whose parameters start at {@code from}. */
    private static int endOfCsi(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x40 && c <= 0x7e) {
                return i;
            }
        }
        return text.length() - 1;
    }
}
