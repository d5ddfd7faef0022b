package dev.outpost.runtime.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The launcher's command line, as picocli parses it; {@code --help} prints the usage from these annotations. */
@Command(name = "outpost", mixinStandardHelpOptions = true, version = "outpost 0.1.0",
        sortOptions = false, usageHelpWidth = 100,
        description = {
            "Runs the Outpost plugin runtime: an embedded OSGi framework in which every plugin is its own process.",
            "Every jar in the deploy folder is installed and started, and the folder is watched: a new jar is",
            "installed, a changed one updated, a deleted one uninstalled. SIGTERM or Ctrl-C stops every plugin",
            "(each process reaped) before the JVM exits; the exit status is 0 when nothing failed, 1 otherwise."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:nothing failed", "1:a bundle or plugin failed, or stopping failed",
            "2:bad command line, missing deploy folder or unusable work folder"})
final class LauncherOptions {
    @Option(names = {"-d", "--deploy"}, paramLabel = "DIR", defaultValue = "bundles",
            description = "folder of bundle jars to install, start and watch (default: ${DEFAULT-VALUE})")
    Path deployDir;

    @Option(names = {"-w", "--work"}, paramLabel = "DIR", defaultValue = "target/outpost-work",
            description = "work folder; the bundle cache lives in DIR/cache and survives restarts (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--headless", description = "no interactive shell (for servers and services)")
    boolean headless;

    @Option(names = "--dev", description = "development mode: NAME.plugin files in the deploy folder run an "
            + "executable from a build folder, restarted whenever it is rebuilt (off by default: a file that names "
            + "any executable would run it)")
    boolean dev;

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", defaultValue = "INFO",
            converter = LevelConverter.class,
            description = "host log level: ERROR, WARNING, INFO, DEBUG or TRACE (default: ${DEFAULT-VALUE})")
    Level logLevel;

    @Option(names = "--scan-interval", paramLabel = "MS", defaultValue = "500",
            description = "how often the deploy folder is scanned; a jar must stay unchanged this long "
                    + "before it is acted on (default: ${DEFAULT-VALUE})")
    long scanIntervalMillis;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "framework property, e.g. -Doutpost.stop.grace.ms=500 (repeatable)")
    Map<String, String> properties = new LinkedHashMap<>();

    Duration scanInterval() {
        return Duration.ofMillis(scanIntervalMillis);
    }

    /** Maps the names people use (and the JUL ones) to java.util.logging levels. */
    static final class LevelConverter implements ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            return switch (value.toUpperCase(java.util.Locale.ROOT)) {
                case "OFF" -> Level.OFF;
                case "ERROR", "SEVERE" -> Level.SEVERE;
                case "WARN", "WARNING" -> Level.WARNING;
                case "INFO" -> Level.INFO;
                case "DEBUG", "FINE" -> Level.FINE;
                case "TRACE", "FINER", "FINEST", "ALL" -> Level.FINEST;
                default -> throw new IllegalArgumentException(
                        "'" + value + "' is not a log level (ERROR, WARNING, INFO, DEBUG, TRACE)");
            };
        }
    }
}
