package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The sealed executable images of installed bundle revisions, kept while a revision is installed,
 * so that stopping and starting a bundle (or restarting its plugin) neither reads and inflates the
 * executable again nor builds a new memfd. Revisions whose executables have the same bytes and
 * the same plugin name share one image: one memfd, whose pages all their processes share, instead
 * of one each. Candidates are found by size and CRC-32, then compared byte for byte with the
 * image's sealed content, so a revision never runs another's executable (for the 84 KB echo,
 * with 1,000 plugins starting: about 60 µs per revision, where SHA-256 had taken about 250 µs).
 * Owns the images: one is closed once no installed revision maps to it (its revisions were
 * updated or uninstalled) and no plugin holds it ({@link #get} takes a hold, {@link #release} gives
 * it back), or when the cache is closed. So an update evicting a bundle's revisions never closes
 * the image its new revision's plugin already runs from. Thread-safe.
 */
public final class ImageCache implements AutoCloseable {
    /** Reads an executable's bytes. */
    interface Bytes {
        byte[] read() throws IOException;
    }

    /** One image and the revisions that use it. */
    private static final class Shared {
        final ExecutableImage image;
        final Set<String> revisions = new HashSet<>();
        /** Its key in {@link #byChecksum}. */
        final String checksum;
        /** Holds taken by {@link #get} and not yet released. */
        int holds;

        Shared(ExecutableImage image, String checksum) {
            this.image = image;
            this.checksum = checksum;
        }
    }

    /** By name, size and CRC-32 of the bytes; more than one only where different bytes collide. */
    private final Map<String, List<Shared>> byChecksum = new HashMap<>();
    private final Map<String, Shared> ofRevision = new HashMap<>();

    /**
     * The image of {@code path} in revision {@code lastModified} of a bundle, read on first use,
     * with a hold on it that the caller gives back with {@link #release}.
     */
    synchronized ExecutableImage get(long bundleId, long lastModified, String path, String name, Bytes bytes)
            throws IOException {
        String revision = bundleId + ":" + lastModified + ":" + name + ":" + path;
        Shared shared = ofRevision.get(revision);
        if (shared != null) {
            shared.holds++;
            return shared.image;
        }
        byte[] b = bytes.read();
        CRC32 crc = new CRC32();
        crc.update(b);
        String checksum = name + ":" + b.length + ":" + crc.getValue();
        for (Shared candidate : byChecksum.getOrDefault(checksum, List.of())) {
            if (candidate.image.hasContent(b)) {
                shared = candidate;
                break;
            }
        }
        if (shared == null) {
            shared = new Shared(ExecutableImage.load(name, b), checksum);
            byChecksum.computeIfAbsent(checksum, k -> new ArrayList<>(1)).add(shared);
        }
        shared.revisions.add(revision);
        ofRevision.put(revision, shared);
        shared.holds++;
        return shared.image;
    }

    /** Gives back a hold taken by {@link #get}; the image closes if nothing else keeps it. */
    synchronized void release(ExecutableImage image) {
        for (List<Shared> candidates : byChecksum.values()) {
            for (Shared shared : candidates) {
                if (shared.image == image) {
                    shared.holds--;
                    closeIfUnused(shared);
                    return;
                }
            }
        }
    }

    /**
     * Forgets every revision of a bundle, closing the images no other revision uses and no plugin
     * holds.
     */
    public synchronized void evict(long bundleId) {
        String prefix = bundleId + ":";
        for (Iterator<Map.Entry<String, Shared>> i = ofRevision.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<String, Shared> e = i.next();
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            i.remove();
            Shared shared = e.getValue();
            shared.revisions.remove(e.getKey());
            closeIfUnused(shared);
        }
    }

    private void closeIfUnused(Shared shared) {
        if (shared.revisions.isEmpty() && shared.holds <= 0) {
            shared.image.close();
            List<Shared> candidates = byChecksum.get(shared.checksum);
            candidates.remove(shared);
            if (candidates.isEmpty()) {
                byChecksum.remove(shared.checksum);
            }
        }
    }

    /** Images held (revisions with the same executable count once). */
    synchronized int size() {
        return byChecksum.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public synchronized void close() {
        byChecksum.values().forEach(list -> list.forEach(s -> s.image.close()));
        byChecksum.clear();
        ofRevision.clear();
    }
}
