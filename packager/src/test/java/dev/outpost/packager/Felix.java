package dev.outpost.packager;

import java.nio.file.Path;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** A plain Felix framework, nothing installed, its storage in a test's folder. */
final class Felix implements AutoCloseable {
    final Framework framework;

    Felix(Path storage) throws BundleException {
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
    }

    @Override
    public void close() throws BundleException {
        framework.stop();
        try {
            framework.waitForStop(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
