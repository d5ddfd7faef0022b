package dev.outpost.runtime;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The launcher's command line, checked. */
record LauncherOptions(Path deployDir, Path workDir, Map<String, String> properties, boolean help) {
    static final String USAGE = """
            usage: outpost [--deploy DIR] [--work DIR] [-Dkey=value ...]
              --deploy DIR   folder of bundle jars to install and start (default: bundles)
              --work DIR     folder for the bundle cache (default: target/outpost-work)
              -Dkey=value    framework property, e.g. -Doutpost.stop.grace.ms=500
              --help         this text""";

    static LauncherOptions parse(String[] args) {
        Path deploy = Path.of("bundles");
        Path work = Path.of("target", "outpost-work");
        Map<String, String> props = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--deploy" -> deploy = Path.of(value(args, ++i, a));
                case "--work" -> work = Path.of(value(args, ++i, a));
                case "--help", "-h" -> help = true;
                default -> {
                    if (a.startsWith("-D") && a.indexOf('=') > 2) {
                        props.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                    } else {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                }
            }
        }
        return new LauncherOptions(deploy, work, props, help);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
