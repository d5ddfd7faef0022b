package dev.outpost.bench;

import dev.outpost.runtime.content.ExecutableCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** A plugin bundle made in memory for a benchmark: one executable, its digest, the headers given. */
final class PluginJar {
    private PluginJar() {
    }

    /**
     * @param headers the manifest's headers beside the bundle's identity; {@code Outpost-Executable}
     *     is made from {@code entry} (any platform) with the executable's sha-256
     */
    static byte[] of(String symbolicName, String entry, byte[] executable, Map<String, String> headers)
            throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Outpost-Executable", entry + "; sha-256=" + ExecutableCheck.sha256(executable));
        headers.forEach(a::putValue);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(executable);
            jar.closeEntry();
        }
        return out.toByteArray();
    }
}
