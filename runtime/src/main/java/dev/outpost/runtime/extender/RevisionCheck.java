package dev.outpost.runtime.extender;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.content.ImageCache;
import dev.outpost.runtime.content.Platform;
import dev.outpost.runtime.content.PluginSpec;
import java.lang.System.Logger.Level;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;

/**
 * Watches bundle revisions come and go: checks a plugin bundle's headers as soon as it is
 * installed or updated (not only when it starts), reporting every problem in one line, and forgets
 * the executable images of revisions that are gone. Runs on Felix's event thread; holds nothing
 * but the cache it is given.
 */
final class RevisionCheck implements BundleListener {
    private static final System.Logger LOG = System.getLogger(RevisionCheck.class.getName());

    private final ImageCache images;

    RevisionCheck(ImageCache images) {
        this.images = images;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UPDATED || event.getType() == BundleEvent.UNINSTALLED) {
            images.evict(event.getBundle().getBundleId());
        }
        if (event.getType() != BundleEvent.INSTALLED && event.getType() != BundleEvent.UPDATED) {
            return;
        }
        Bundle b = event.getBundle();
        if (b.getHeaders().get(OutpostHeaders.EXECUTABLE) == null) {
            return;
        }
        try {
            PluginSpec.parse(key -> b.getHeaders().get(key), Platform.current(), path -> entryExists(b, path));
        } catch (PluginSpec.InvalidPluginException e) {
            LOG.log(Level.ERROR, "bundle " + b.getSymbolicName() + " [" + b.getBundleId()
                    + "] cannot run its plugin: " + e.getMessage());
        } catch (RevisionGone e) {
            // the event is delivered asynchronously: the revision was replaced or uninstalled in the
            // meantime, and a newer revision is checked by its own event
        }
    }

    /** Felix throws (a NullPointerException) for the entries of a revision whose content is closed. */
    private static boolean entryExists(Bundle b, String path) {
        try {
            return b.getEntry(path) != null;
        } catch (RuntimeException e) {
            if (b.getState() == Bundle.UNINSTALLED || e instanceof NullPointerException) {
                throw new RevisionGone();
            }
            throw e;
        }
    }

    /** The revision an event was about is not there any more. */
    private static final class RevisionGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RevisionGone() {
            super(null, null, false, false);
        }
    }
}
