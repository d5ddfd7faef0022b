package dev.outpost.packager;

import aQute.bnd.osgi.Analyzer;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.EmbeddedResource;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * Writes a {@link PluginBundle} as a jar with bnd: the executables and classes go into a bnd
 * {@link Jar}, an {@link Analyzer} computes the OSGi manifest (Bundle-*, Export-Package and
 * Import-Package from the classes, the osgi.ee requirement; each package is exported at the
 * bundle's version unless the classes version it), the {@code Outpost-*} headers are
 * added to that manifest as they are (not through bnd's properties, so that no {@code ${...}} in
 * a value is taken for a macro), and every entry is stored, not deflated.
 */
final class BundleWriter {
    /** What a classes folder must not bring: its own manifest and signatures. */
    private static final Pattern FOREIGN = Pattern.compile("META-INF/(MANIFEST\\.MF|[^/]+\\.(SF|RSA|DSA|EC))",
            Pattern.CASE_INSENSITIVE);

    private BundleWriter() {
    }

    /**
     * Writes the bundle to {@code out} and returns the packages it exports; bnd's warnings go to
     * {@code warnings}, its errors are thrown.
     */
    static List<String> write(PluginBundle bundle, Path out, Consumer<String> warnings) throws Exception {
        try (Analyzer analyzer = new Analyzer(); Jar classes = bundle.classes() == null ? null
                : new Jar("classes", bundle.classes().toFile())) {
            Jar jar = new Jar(bundle.symbolicName());
            analyzer.setJar(jar); // the analyzer closes it
            jar.setCompression(Jar.Compression.STORE);
            jar.setReproducible("true");
            TreeSet<String> packages = new TreeSet<>();
            if (classes != null) {
                for (Map.Entry<String, Resource> e : classes.getResources().entrySet()) {
                    String path = e.getKey();
                    if (path.startsWith("bin/")) {
                        throw new PackagingException("--export-classes " + bundle.classes() + " has " + path
                                + ": bin/ is where the executables go");
                    }
                    if (FOREIGN.matcher(path).matches()) {
                        continue;
                    }
                    jar.putResource(path, e.getValue());
                    if (path.endsWith(".class") && !path.endsWith("module-info.class") && path.contains("/")) {
                        packages.add(path.substring(0, path.lastIndexOf('/')).replace('/', '.'));
                    }
                }
                if (packages.isEmpty()) {
                    throw new PackagingException("--export-classes " + bundle.classes()
                            + " has no .class file in a package");
                }
            }
            for (Executable x : bundle.executables()) {
                jar.putResource(x.entry(bundle.name()), new EmbeddedResource(x.bytes(), 0L));
            }
            for (Path p : bundle.classpath()) {
                analyzer.addClasspath(p.toFile());
            }
            analyzer.setProperty(Constants.BUNDLE_SYMBOLICNAME, bundle.symbolicName());
            analyzer.setProperty(Constants.BUNDLE_VERSION, bundle.version());
            analyzer.setProperty(Constants.EXPORT_PACKAGE, exports(packages, classes, bundle.version()));
            analyzer.setProperty(Constants.NOEXTRAHEADERS, "true");
            analyzer.setProperty(Constants.REMOVEHEADERS, Constants.PRIVATE_PACKAGE);
            Manifest manifest = analyzer.calcManifest();
            analyzer.getWarnings().forEach(warnings);
            if (!analyzer.getErrors().isEmpty()) {
                throw new PackagingException("bnd cannot make the bundle: " + String.join("; ", analyzer.getErrors()));
            }
            Attributes main = manifest.getMainAttributes();
            bundle.headers().forEach(main::putValue);
            jar.setManifest(manifest);
            write(jar, out);
            return new ArrayList<>(packages);
        }
    }

    /**
     * The Export-Package instruction: each package at the bundle's version, unless the classes
     * version it themselves (a {@code packageinfo} file or a {@code package-info.class}, which bnd
     * reads).
     */
    private static String exports(Set<String> packages, Jar classes, String version) {
        List<String> clauses = new ArrayList<>();
        for (String p : packages) {
            String folder = p.replace('.', '/') + "/";
            boolean versioned = classes.getResource(folder + "packageinfo") != null
                    || classes.getResource(folder + "package-info.class") != null;
            clauses.add(versioned ? p : p + ";version=\"" + version + "\"");
        }
        return String.join(",", clauses);
    }

    private static void write(Jar jar, Path out) throws Exception {
        try {
            jar.write(out.toFile());
        } catch (IOException e) {
            Files.deleteIfExists(out);
            throw e;
        }
    }
}
