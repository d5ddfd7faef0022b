package dev.outpost.runtime;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The sealed executable images of installed bundle revisions, kept while a revision is installed,
 * so that stopping and starting a bundle (or restarting its plugin) neither reads and inflates the
 * executable again nor builds a new memfd. Revisions whose executables have the same bytes (by
 * SHA-256) and the same plugin name share one image: one memfd, whose pages all their processes
 * share, instead of one each. Owns the images until the last revision using one is evicted (it
 * was updated or uninstalled) or the cache is closed. Thread-safe.
 */
final class ImageCache implements AutoCloseable {
    /** Reads an executable's bytes. */
    interface Bytes {
        byte[] read() throws IOException;
    }

    /** One image and the revisions that use it. */
    private static final class Shared {
        final ExecutableImage image;
        final Set<String> revisions = new HashSet<>();

        Shared(ExecutableImage image) {
            this.image = image;
        }
    }

    private final Map<String, Shared> byContent = new HashMap<>();
    private final Map<String, String> contentOfRevision = new HashMap<>();

    /** The image of {@code path} in revision {@code lastModified} of a bundle, read on first use. */
    synchronized ExecutableImage get(long bundleId, long lastModified, String path, String name, Bytes bytes)
            throws IOException {
        String revision = bundleId + ":" + lastModified + ":" + name + ":" + path;
        String content = contentOfRevision.get(revision);
        if (content != null) {
            return byContent.get(content).image;
        }
        byte[] b = bytes.read();
        content = name + ":" + sha256(b);
        Shared shared = byContent.get(content);
        if (shared == null) {
            shared = new Shared(ExecutableImage.load(name, b));
            byContent.put(content, shared);
        }
        shared.revisions.add(revision);
        contentOfRevision.put(revision, content);
        return shared.image;
    }

    /**
     * Forgets every revision of a bundle, closing the images no other revision uses; no process
     * of that bundle may start from them any more.
     */
    synchronized void evict(long bundleId) {
        String prefix = bundleId + ":";
        for (Iterator<Map.Entry<String, String>> i = contentOfRevision.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<String, String> e = i.next();
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            i.remove();
            Shared shared = byContent.get(e.getValue());
            shared.revisions.remove(e.getKey());
            if (shared.revisions.isEmpty()) {
                shared.image.close();
                byContent.remove(e.getValue());
            }
        }
    }

    /** Images held (revisions with the same executable count once). */
    synchronized int size() {
        return byContent.size();
    }

    @Override
    public synchronized void close() {
        byContent.values().forEach(s -> s.image.close());
        byContent.clear();
        contentOfRevision.clear();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
