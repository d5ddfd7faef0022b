package dev.outpost.packager;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.content.PluginSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The packaging command: makes an Outpost plugin bundle from executables built elsewhere, with no
 * Maven or bnd configuration of the author's. Exit status 0 when the bundle is written, 2 when the
 * input is wrong (the message names what), 1 when writing fails. See docs/packaging.md.
 */
@Command(name = "outpost-packager", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Makes an Outpost plugin bundle: an OSGi bundle jar carrying the plugin's executables "
                + "at bin/<platform>/<name>, with the Outpost-* headers and each executable's sha-256.", ""},
        footer = {"", "Example:", "  java -jar outpost-packager.jar --name echo --version 1.2.3 \\",
                "      --executable linux-x86_64=build/echo --output out/echo.jar"})
public final class Package implements Callable<Integer> {
    static final int OK = 0, FAILED = 1, BAD_INPUT = 2;

    @Option(names = "--name", required = true, paramLabel = "NAME", order = 1,
            description = "The plugin's name (argv[0]), the Outpost-Name header and the executables' file name.")
    private String name;

    @Option(names = "--version", required = true, paramLabel = "VERSION", order = 2,
            description = "Bundle-Version, an OSGi version: MAJOR[.MINOR[.MICRO[.QUALIFIER]]].")
    private String version;

    @Option(names = "--executable", required = true, paramLabel = "PLATFORM=FILE", order = 3,
            description = "An executable and the platform it is for (linux-x86_64, linux-aarch64); once per platform.")
    private List<String> executables = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "JAR", order = 4,
            description = "The bundle to write (replaced in one step if it exists).")
    private Path output;

    @Option(names = "--symbolic-name", paramLabel = "BSN", order = 5,
            description = "Bundle-SymbolicName (default: the name).")
    private String symbolicName;

    @Option(names = "--config", paramLabel = "KEY=VALUE", order = 6,
            description = "Configuration sent to the plugin in the Welcome (Outpost-Config); repeatable.")
    private List<String> config = new ArrayList<>();

    @Option(names = "--arguments", paramLabel = "A,B", order = 7,
            description = "More argv, comma-separated (Outpost-Arguments).")
    private List<String> arguments = new ArrayList<>();

    @Option(names = "--restart", paramLabel = "POLICY", order = 8,
            description = "Outpost-Restart, e.g. 'on-failure; intensity=5; period=60000'.")
    private String restart;

    @Option(names = "--sandbox", paramLabel = "LIMITS", order = 9,
            description = "Outpost-Sandbox, e.g. 'memory=64m; tasks=16; network=connect'.")
    private String sandbox;

    @Option(names = "--service", paramLabel = "'SERVICE; interface=TYPE'", order = 10,
            description = "A generated interface of one of the plugin's services (Outpost-Service); repeatable.")
    private List<String> services = new ArrayList<>();

    @Option(names = "--import", paramLabel = "SERVICE", order = 11,
            description = "A host service the plugin may call (Outpost-Import); repeatable.")
    private List<String> imports = new ArrayList<>();

    @Option(names = "--export-classes", paramLabel = "DIR", order = 12,
            description = "A folder of compiled classes to carry; their packages are exported.")
    private Path classes;

    @Option(names = "--classpath", paramLabel = "JAR", order = 13,
            description = "A jar or folder the exported classes are compiled against (e.g. protobuf-java), "
                    + "for the versions of their Import-Package; repeatable.")
    private List<Path> classpath = new ArrayList<>();

    @Option(names = "--sign", paramLabel = "keystore=PATH,alias=A,storepass=P[,keypass=K][,storetype=T]", order = 14,
            description = "Sign the jar as jarsigner does (SHA-256). storepass-env=VAR and keypass-env=VAR read a "
                    + "password from the environment instead.")
    private String sign;

    @Option(names = "--allow-any", order = 15,
            description = "Package an executable that is not an ELF executable for its platform nor a #! script.")
    private boolean allowAny;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 16, description = "Show this help.")
    private boolean help;

    private final Function<String, String> env;
    private PrintWriter out, err;

    private Package(Function<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        System.exit(run(System::getenv, out, err, args));
    }

    /** Runs the command; {@code env} gives the environment variables {@code --sign ...-env=} names. */
    static int run(Function<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        Package command = new Package(env);
        command.out = out;
        command.err = err;
        return new CommandLine(command).setOut(out).setErr(err)
                .setParameterExceptionHandler((e, a) -> {
                    err.println("outpost-packager: " + e.getMessage());
                    err.println("Run with --help for the options.");
                    return BAD_INPUT;
                })
                .execute(args);
    }

    @Override
    public Integer call() {
        try {
            write();
            return OK;
        } catch (PackagingException e) {
            err.println("outpost-packager: " + e.getMessage());
            return BAD_INPUT;
        } catch (Exception e) {
            err.println("outpost-packager: cannot write " + output + ": " + e);
            return FAILED;
        }
    }

    private void write() throws Exception {
        PluginBundle bundle = bundle();
        Signing signing = sign == null ? null : Signing.load(sign, env);
        Path target = output.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new PackagingException("--output " + output + " is a directory; name the jar to write");
        }
        Files.createDirectories(target.getParent());
        List<Path> temporary = new ArrayList<>();
        try {
            Path unsigned = temporary(target, temporary);
            List<String> exported = BundleWriter.write(bundle, unsigned, w -> err.println("outpost-packager: warning: " + w));
            Path result = unsigned;
            if (signing != null) {
                Path signed = temporary(target, temporary);
                signing.sign(unsigned, signed);
                result = temporary(target, temporary);
                StoredEntries.copy(signed, result);
            }
            Files.move(result, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            warnAboutServices(bundle);
            report(bundle, exported, signing);
        } finally {
            for (Path p : temporary) {
                Files.deleteIfExists(p);
            }
        }
    }

    private PluginBundle bundle() throws PackagingException {
        String problem = version.isBlank() ? "it is empty" : null;
        try {
            org.osgi.framework.Version.parseVersion(version);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            throw new PackagingException("--version '" + version + "' is not an OSGi version "
                    + "(MAJOR[.MINOR[.MICRO[.QUALIFIER]]], e.g. 1.2.3 or 1.2.3.beta1): " + problem);
        }
        Map<Platform, Executable> byPlatform = new LinkedHashMap<>();
        for (String spec : executables) {
            Executable x = Executable.read(spec, allowAny);
            Executable earlier = byPlatform.putIfAbsent(x.platform(), x);
            if (earlier != null) {
                throw new PackagingException("--executable gives " + x.platform().id + " twice (" + earlier.source()
                        + " and " + x.source() + ")");
            }
        }
        List<Executable> all = List.copyOf(byPlatform.values());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(OutpostHeaders.NAME, Headers.single(name, OutpostHeaders.NAME));
        headers.put(OutpostHeaders.EXECUTABLE, String.join(", ", all.stream().map(x -> x.clause(name)).toList()));
        put(headers, OutpostHeaders.ARGUMENTS, Headers.arguments(arguments));
        put(headers, OutpostHeaders.CONFIG, Headers.config(config));
        put(headers, OutpostHeaders.RESTART, Headers.restart(restart));
        put(headers, OutpostHeaders.SANDBOX, Headers.sandbox(sandbox));
        put(headers, OutpostHeaders.SERVICE, Headers.services(services));
        put(headers, OutpostHeaders.IMPORT, Headers.imports(imports));
        PluginSpec spec = Headers.check(headers, List.copyOf(byPlatform.keySet()),
                all.stream().map(x -> x.entry(name)).collect(Collectors.toSet()));
        String bsn = Headers.symbolicName(symbolicName == null ? name : symbolicName, symbolicName != null);
        if (classes != null && !Files.isDirectory(classes)) {
            throw new PackagingException("--export-classes " + classes + " is not a directory");
        }
        for (Path p : classpath) {
            if (!Files.exists(p)) {
                throw new PackagingException("--classpath " + p + ": no such file or directory");
            }
        }
        return new PluginBundle(bsn, version, name, all, headers, new TreeMap<>(spec.interfaces()), classes,
                List.copyOf(classpath));
    }

    private static void put(Map<String, String> headers, String header, String value) {
        if (value != null) {
            headers.put(header, value);
        }
    }

    private static Path temporary(Path target, List<Path> temporary) throws IOException {
        Path p = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        temporary.add(p);
        return p;
    }

    /** A service interface the bundle does not carry must come from an import; worth a word. */
    private void warnAboutServices(PluginBundle bundle) {
        for (Map.Entry<String, String> s : bundle.interfaces().entrySet()) {
            Path type = bundle.classes() == null ? null : bundle.classes().resolve(s.getValue().replace('.', '/') + ".class");
            if (type == null || !Files.isRegularFile(type)) {
                err.println("outpost-packager: warning: --service " + s.getKey() + ": the bundle does not carry "
                        + s.getValue() + " (--export-classes); the runtime must load it through an import");
            }
        }
    }

    private void report(PluginBundle bundle, List<String> exported, Signing signing) {
        out.println("wrote " + output + ": " + bundle.symbolicName() + " " + bundle.version() + ", plugin " + bundle.name());
        for (Executable x : bundle.executables()) {
            out.println("  " + x.entry(bundle.name()) + " (" + x.bytes().length + " bytes, sha-256 " + x.sha256() + ")");
        }
        if (!exported.isEmpty()) {
            out.println("  exports " + String.join(", ", exported));
        }
        if (signing != null) {
            out.println("  signed with '" + signing.alias() + "' (" + signing.subject() + ")");
        }
    }
}
