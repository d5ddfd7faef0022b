package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;

/**
 * The executable of one plugin bundle: read and loaded on first use, which is on the spawn thread
 * (off the thread that started the bundle), then kept for every restart of the plugin. Holds the
 * image from its content (the {@link ImageCache}'s hold, for an installed bundle) and gives it back
 * in {@link #close()}. Thread-safe, on a lock of its own, never the bundle's.
 */
public final class PluginImage implements AutoCloseable {
    private final PluginContent content;
    private final String name;
    private final String path;
    private ExecutableImage image; // guarded by this
    private boolean closed;        // guarded by this

    public PluginImage(PluginContent content, String name, String path) {
        this.content = content;
        this.name = name;
        this.path = path;
    }

    /** The image, loaded on the first call. */
    public synchronized ExecutableImage get() throws IOException {
        if (closed) {
            throw new IOException("the executable of " + name + " was released: its bundle is stopping");
        }
        if (image == null) {
            try {
                image = content.image(name, path);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return image;
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
