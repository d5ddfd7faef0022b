package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;

/**
 * Where a plugin's headers and files come from: an installed bundle revision
 * ({@link InstalledContent}) or content not installed yet, for a hot reload ({@link JarContent}).
 */
public interface PluginContent {
    String header(String name);

    /** Whether there is an entry at {@code path} (without reading it). */
    boolean has(String path);

    /** The entry's bytes, or null when there is none. */
    byte[] entry(String path) throws IOException;

    /** The sealed image of the executable at {@code path}; give it back with {@link #release}. */
    ExecutableImage image(String name, String path) throws IOException;

    /** The plugin is done with an image {@link #image} gave it. */
    void release(ExecutableImage image);

    /**
     * The entry at {@code path} as the bundle's signature vouches for it ({@link SignedEntry}).
     *
     * @throws IOException when it is missing, or does not match what was signed
     */
    SignedEntry signed(String path) throws IOException;

    /** The bytes of the executable at {@code path}. */
    static byte[] executable(PluginContent content, String path) throws IOException {
        byte[] bytes = content.entry(path);
        if (bytes == null) {
            throw new IOException("executable " + path + " is missing from the bundle");
        }
        return bytes;
    }
}
