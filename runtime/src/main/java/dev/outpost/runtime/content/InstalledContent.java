package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.framework.Bundle;

/** The headers and entries of an installed bundle; its images are kept (and shared) by the {@link ImageCache}. */
public final class InstalledContent implements PluginContent {
    private final Bundle bundle;
    private final ImageCache images;

    public InstalledContent(Bundle bundle, ImageCache images) {
        this.bundle = bundle;
        this.images = images;
    }

    @Override
    public String header(String name) {
        return bundle.getHeaders().get(name);
    }

    @Override
    public boolean has(String path) {
        return bundle.getEntry(path) != null;
    }

    @Override
    public byte[] entry(String path) throws IOException {
        URL entry = bundle.getEntry(path);
        if (entry == null) {
            return null;
        }
        try (InputStream in = entry.openStream()) {
            return in.readAllBytes();
        }
    }

    @Override
    public ExecutableImage image(String name, String path) throws IOException {
        return images.get(bundle.getBundleId(), bundle.getLastModified(), path, name,
                () -> PluginContent.executable(this, path));
    }

    @Override
    public SignedEntry signed(String path) throws IOException {
        Map<String, byte[]> metaInf = new LinkedHashMap<>();
        Enumeration<String> names = bundle.getEntryPaths("META-INF/");
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            if (SignedEntry.isSignatureFile(name)) {
                metaInf.put(name, entry(name));
            }
        }
        return SignedEntry.of(metaInf, path, PluginContent.executable(this, path));
    }

    @Override
    public void release(ExecutableImage image) {
        images.release(image);
    }
}
