package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;

/**
 * The executable of one plugin bundle: read, loaded and checked ({@link ExecutableCheck}) on first
 * use, which is on the spawn thread (off the thread that started the bundle), then kept for every
 * restart of the plugin; an executable that fails the check is never spawned. Holds the
 * image from its content (the {@link ImageCache}'s hold, for an installed bundle) and gives it back
 * in {@link #close()}. Thread-safe, on a lock of its own, never the bundle's.
 */
public final class PluginImage implements AutoCloseable {
    private final PluginContent content;
    private final String name;
    private final String path;
    private final String digest;
    private final ExecutableCheck check;
    private ExecutableImage image; // guarded by this
    private String verification;   // guarded by this: how the image was checked
    private String refused;        // guarded by this: why it must not run, once the check said so
    private boolean closed;        // guarded by this

    public PluginImage(PluginContent content, String name, String path) {
        this(content, name, path, null, ExecutableCheck.NONE);
    }

    /** @param digest the SHA-256 the bundle names for the executable, or null; checked by {@code check} */
    public PluginImage(PluginContent content, String name, String path, String digest, ExecutableCheck check) {
        this.content = content;
        this.name = name;
        this.path = path;
        this.digest = digest;
        this.check = check;
    }

    /** The image, loaded on the first call. */
    public synchronized ExecutableImage get() throws IOException {
        if (closed) {
            throw new IOException("the executable of " + name + " was released: its bundle is stopping");
        }
        if (refused != null) {
            throw new IOException(refused); // the bundle's bytes do not change: a restart finds the same
        }
        if (image == null) {
            ExecutableImage loaded;
            try {
                loaded = content.image(name, path);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            try {
                verification = check.verify(content, path, digest, loaded); // the bytes a spawn will execute
            } catch (IOException e) {
                content.release(loaded);
                refused = e.getMessage();
                throw e;
            } catch (RuntimeException e) {
                content.release(loaded);
                throw e;
            }
            image = loaded;
        }
        return image;
    }

    /** How the executable was verified before it ran, or null before its first load. */
    public synchronized String verification() {
        return verification;
    }

    /** No process can start from it any more. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (image != null) {
            content.release(image);
        }
    }
}
