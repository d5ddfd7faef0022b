package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/** A bundle jar that is not installed yet (a hot reload's new content), read into memory. */
public final class JarContent implements PluginContent {
    private final Attributes headers;
    private final Map<String, byte[]> entries = new HashMap<>();
    private final byte[] jar;

    public JarContent(byte[] jar) throws IOException {
        this.jar = jar;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = in.getManifest();
            if (manifest == null) {
                throw new IOException("the new content has no manifest: not a bundle");
            }
            headers = manifest.getMainAttributes();
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                if (!e.isDirectory()) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
    }

    @Override
    public String header(String name) {
        return headers.getValue(name);
    }

    @Override
    public boolean has(String path) {
        return entries.containsKey(path);
    }

    @Override
    public byte[] entry(String path) {
        return entries.get(path);
    }

    @Override
    public ExecutableImage image(String name, String path) throws IOException {
        return ExecutableImage.load(name, PluginContent.executable(this, path));
    }

    @Override
    public SignedEntry signed(String path) throws IOException {
        return SignedEntry.of(jar, path);
    }

    @Override
    public void release(ExecutableImage image) {
        image.close(); // made for this content alone
    }
}
