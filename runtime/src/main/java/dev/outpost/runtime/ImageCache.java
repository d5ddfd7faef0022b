package dev.outpost.runtime;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The sealed executable images of installed bundle revisions, kept while the revision is
 * installed, so that stopping and starting a bundle (or restarting its plugin) neither reads and
 * inflates the executable again nor builds a new memfd. Owns the images until they are evicted
 * (the revision was updated or uninstalled) or the cache is closed. Thread-safe.
 */
final class ImageCache implements AutoCloseable {
    /** Reads an executable's bytes. */
    interface Bytes {
        byte[] read() throws IOException;
    }

    private final Map<String, ExecutableImage> images = new HashMap<>();

    /** The image of {@code path} in revision {@code lastModified} of a bundle, loaded on first use. */
    synchronized ExecutableImage get(long bundleId, long lastModified, String path, String name, Bytes bytes)
            throws IOException {
        String key = bundleId + ":" + lastModified + ":" + name + ":" + path;
        ExecutableImage image = images.get(key);
        if (image == null) {
            image = ExecutableImage.load(name, bytes.read());
            images.put(key, image);
        }
        return image;
    }

    /** Closes the images of every revision of a bundle; none of its processes may start from them any more. */
    synchronized void evict(long bundleId) {
        String prefix = bundleId + ":";
        for (Iterator<Map.Entry<String, ExecutableImage>> i = images.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<String, ExecutableImage> e = i.next();
            if (e.getKey().startsWith(prefix)) {
                e.getValue().close();
                i.remove();
            }
        }
    }

    synchronized int size() {
        return images.size();
    }

    @Override
    public synchronized void close() {
        images.values().forEach(ExecutableImage::close);
        images.clear();
    }
}
