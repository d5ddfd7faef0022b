package dev.outpost.protoc;

import java.util.List;

/**
 * The generator's parameters: comma-separated {@code key=value} pairs, from protoc's
 * {@code --outpost_opt=} (the request's parameter) and from the command line (each argument may
 * hold several pairs; the protobuf-maven-plugin passes a protocPlugin's {@code <args>} there).
 * Later pairs win.
 *
 * <ul>
 *   <li>{@code java=false}: no Java interfaces;
 *   <li>{@code c=false}: no C files;
 *   <li>{@code c_client=false}: C files without the client stubs ({@code <service>_<rpc>_call}),
 *       for an SDK without {@code outpost_call()}.
 * </ul>
 * All default to {@code true}.
 */
record Options(boolean java, boolean c, boolean cClient) {
    static final Options DEFAULT = new Options(true, true, true);

    /** Parses the pairs of every source in turn. */
    static Options parse(List<String> sources) {
        Options options = DEFAULT;
        for (String source : sources) {
            for (String pair : source.split(",")) {
                String p = pair.strip();
                if (!p.isEmpty()) {
                    options = options.with(p);
                }
            }
        }
        return options;
    }

    private Options with(String pair) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq).strip();
        String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
        boolean on;
        if (value.equals("true")) {
            on = true;
        } else if (value.equals("false")) {
            on = false;
        } else {
            throw new GeneratorException("parameter " + pair + ": expected " + key + "=true or " + key + "=false");
        }
        switch (key) {
            case "java":
                return new Options(on, c, cClient);
            case "c":
                return new Options(java, on, cClient);
            case "c_client":
                return new Options(java, c, on);
            default:
                throw new GeneratorException("unknown parameter " + pair + " (known: java, c, c_client)");
        }
    }
}
