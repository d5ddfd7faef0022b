package dev.outpost.protoc;

import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/** The spelling rules: wire names, Java names and protoc-c's C names (see package-info). */
final class Names {
    /** Java keywords, literals and the restricted identifiers a method must not be called. */
    static final Set<String> JAVA_RESERVED = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
            "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
            "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
            "volatile", "while", "true", "false", "null", "var", "yield", "record", "sealed", "permits", "_");
    /** The methods of java.lang.Object. */
    static final Set<String> OBJECT_METHODS = Set.of(
            "hashCode", "equals", "toString", "getClass", "notify", "notifyAll", "wait", "clone", "finalize");
    /** C11 keywords, with those C23 and C++ add, which cannot name a struct member. */
    static final Set<String> C_RESERVED = Set.of(
            "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
            "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
            "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
            "volatile", "while", "asm", "bool", "true", "false", "nullptr", "alignas", "alignof", "constexpr",
            "static_assert", "thread_local", "typeof", "typeof_unqual", "class", "delete", "new", "this",
            "template", "typename", "namespace", "operator", "private", "protected", "public", "virtual");

    private Names() {
    }

    /**
     * The wire name: lower snake case. An underscore goes before an upper-case letter that follows
     * a lower-case letter or a digit, or that ends a run of capitals and starts a word
     * ({@code HTTPGet} is {@code http_get}); existing underscores stay. {@code KeyValue} is
     * {@code key_value}, {@code GetAll} {@code get_all}, {@code Crc32} {@code crc32}.
     */
    static String wire(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (isUpper(c) && i > 0 && out.charAt(out.length() - 1) != '_') {
                char prev = name.charAt(i - 1);
                boolean nextLower = i + 1 < name.length() && isLower(name.charAt(i + 1));
                if (isLower(prev) || isDigit(prev) || (isUpper(prev) && nextLower)) {
                    out.append('_');
                }
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    /** Whether a wire name is usable: a lower-case letter, then lower-case letters, digits and underscores. */
    static boolean isValidWire(String wire) {
        if (wire.isEmpty() || !isLower(wire.charAt(0))) {
            return false;
        }
        return wire.chars().allMatch(c -> isLower((char) c) || isDigit((char) c) || c == '_');
    }

    /** The Java method name: lower camel case of the wire name ({@code get_all} is {@code getAll}). */
    static String javaMethod(String wire) {
        StringBuilder out = new StringBuilder();
        for (String part : wire.split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            out.append(out.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return out.toString();
    }

    /** The Java constant of a wire name: upper snake case ({@code get_all} is {@code GET_ALL}). */
    static String javaConstant(String wire) {
        return wire.toUpperCase(Locale.ROOT);
    }

    /**
     * protoc's default outer class name of a file ({@code UnderscoresToCamelCase}): letters after
     * anything but a letter become capitals, the first letter too; only letters and digits stay.
     */
    static String javaFileClass(String baseName) {
        StringBuilder out = new StringBuilder();
        boolean capNext = true;
        for (int i = 0; i < baseName.length(); i++) {
            char c = baseName.charAt(i);
            if (isLower(c)) {
                out.append(capNext ? Character.toUpperCase(c) : c);
                capNext = false;
            } else if (isUpper(c)) {
                out.append(c);
                capNext = false;
            } else if (isDigit(c)) {
                out.append(c);
                capNext = true;
            } else {
                capNext = true;
            }
        }
        return out.toString();
    }

    /** protoc-c's type name of a full name: each part camel-cased, joined by {@code __}. */
    static String cType(String fullName) {
        return cParts(fullName, (part, out) -> {
            boolean upperNext = true;
            for (char c : part.toCharArray()) {
                if (c == '_') {
                    upperNext = true;
                } else {
                    out.append(upperNext ? Character.toUpperCase(c) : c);
                    upperNext = false;
                }
            }
        });
    }

    /**
     * protoc-c's function prefix of a full name: each part lower-cased with an underscore before a
     * capital that does not follow a capital, joined by {@code __}
     * ({@code outpost.sample.zlib.CompressRequest} is {@code outpost__sample__zlib__compress_request}).
     */
    static String cLower(String fullName) {
        return cParts(fullName, (part, out) -> {
            boolean wasUpper = true;
            for (char c : part.toCharArray()) {
                if (isUpper(c)) {
                    if (!wasUpper) {
                        out.append('_');
                    }
                    out.append(Character.toLowerCase(c));
                    wasUpper = true;
                } else {
                    out.append(c);
                    wasUpper = false;
                }
            }
        });
    }

    /** The non-empty parts of a full name, each appended by {@code part}, with {@code __} between. */
    private static String cParts(String fullName, BiConsumer<String, StringBuilder> part) {
        StringBuilder out = new StringBuilder();
        for (String p : fullName.split("\\.")) {
            if (p.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append("__");
            }
            part.accept(p, out);
        }
        return out.toString();
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
