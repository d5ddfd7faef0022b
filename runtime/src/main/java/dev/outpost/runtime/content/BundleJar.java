package dev.outpost.runtime.content;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;
import org.osgi.framework.Constants;

/** What is wrong with a jar before the framework sees it: a sentence for the operator, or null. */
public final class BundleJar {
    private BundleJar() {
    }

    /** Null when the file is a readable jar with an OSGi bundle manifest; otherwise why it is not. */
    public static String problem(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return "not an OSGi bundle: it has no META-INF/MANIFEST.MF";
            }
            if (manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                return "not an OSGi bundle: its manifest has no " + Constants.BUNDLE_SYMBOLICNAME + " header";
            }
            return null;
        } catch (ZipException e) {
            return "not a readable jar (" + e.getMessage() + "): corrupt, truncated or not a zip file";
        } catch (IOException | SecurityException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    /** A framework exception as one line: its message and the messages of its causes. */
    public static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !s.toString().contains(c.getMessage())) {
                s.append(": ").append(c.getMessage());
            }
        }
        return s.toString();
    }
}
