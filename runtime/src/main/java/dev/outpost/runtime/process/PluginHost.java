package dev.outpost.runtime.process;

import dev.outpost.runtime.channel.Reactor;
import dev.outpost.runtime.config.DaemonThreads;
import dev.outpost.runtime.content.ExecutableCheck;
import dev.outpost.runtime.hostcalls.HostCallLimits;
import dev.outpost.runtime.hostcalls.HostCallPool;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.content.ImageCache;
import dev.outpost.runtime.os.Arch;
import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.PosixSpawner;
import dev.outpost.runtime.os.SpawnException;
import dev.outpost.runtime.os.SpawnRequest;
import dev.outpost.runtime.os.SpawnServer;
import dev.outpost.runtime.os.Spawner;
import dev.outpost.runtime.sandbox.Confiner;
import dev.outpost.runtime.wire.ReceiveBudget;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The machinery every plugin process of one runtime shares, so that host threads do not grow
 * with the number of plugins: these five threads, the private directories' {@code outpost-cleanup}
 * ({@link WorkingDirectories}) and the pool of plugins' calls to the host ({@link HostCallPool},
 * bounded), whatever the number of plugins.
 * <ul>
 *   <li>{@code outpost-io}: the {@link Reactor}, reads every socket, pipe and pidfd;
 *   <li>{@code outpost-timer}: handshake timeouts, call deadlines, liveness pings, restart backoffs;
 *   <li>{@code outpost-spawn}: every spawn, so that the children's parent-death signal (which
 *       follows the thread that started the {@code outpost-spawner} process) fires only when the
 *       runtime goes away;
 *   <li>{@code outpost-supervisor}: handshakes, failure handling, restarts; it never waits for a plugin;
 *   <li>{@code outpost-registry}: service registration and withdrawal (the framework runs
 *       consumers' code there, which may call the plugin).
 * </ul>
 * and one process, {@code outpost-spawner} ({@link SpawnServer}), started with the first spawn.
 * Owns these threads and that process from construction until {@link #close()}.
 */
public final class PluginHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PluginHost.class.getName());

    public final RuntimeConfig config;
    /** The framework's properties, for settings read per plugin (restart policy overrides). */
    public final Function<String, String> properties;
    public final Reactor reactor;
    public final ScheduledThreadPoolExecutor timer;
    /** The supervisor thread: runs what reacts to a plugin's handshake, failure and restart. */
    public final ExecutorService supervisor;
    /** The private working directories of the plugin processes. */
    final WorkingDirectories directories;
    /** Executable images of installed bundle revisions. */
    public final ImageCache images = new ImageCache();
    /**
     * What every channel together may set aside for answers before their bytes arrive: four of the
     * largest frames (see {@link ReceiveBudget}).
     */
    public final ReceiveBudget answers;
    /**
     * The registry thread: registers and withdraws plugins' services, outside every lock, so that a
     * consumer's code, which the framework runs during a registration, holds up no handshake.
     */
    public final ExecutorService registry;
    /** The confinement of every plugin process: settings, cgroups, what this host lacks. */
    public final Confiner confiner;
    /** The bounds on plugins' calls to host services, and the threads they run on ({@code outpost-hostcall}). */
    public final HostCallLimits hostCallLimits;
    public final HostCallPool hostCalls;
    /** How executables are checked before they run ({@code outpost.verify}). */
    public final ExecutableCheck verification;

    private final Spawner spawner;
    private final ExecutorService spawnThread;
    private volatile Thread spawning;

    public PluginHost(RuntimeConfig config, Function<String, String> properties) throws IOException {
        this(config, properties, spawner());
    }

    PluginHost(RuntimeConfig config, Function<String, String> properties, Spawner spawner) throws IOException {
        Arch.current(); // refuses, with a clear message, a system whose structures os/ would misread
        this.verification = ExecutableCheck.from(properties); // refuses a bad policy before anything starts
        this.config = config;
        this.properties = properties;
        this.spawner = spawner;
        this.directories = new WorkingDirectories(); // first: it is the one step here that can fail
        try {
            this.confiner = Confiner.open(properties, hostPrivate(properties, directories.root()),
                    spawner instanceof SpawnServer);
        } catch (RuntimeException e) {
            directories.close();
            throw e;
        }
        this.spawnThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = DaemonThreads.named("outpost-spawn").newThread(r);
            spawning = t;
            return t;
        });
        this.reactor = new Reactor("outpost-io");
        this.timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("outpost-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.supervisor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("outpost-supervisor"));
        this.registry = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("outpost-registry"));
        this.answers = new ReceiveBudget(4L * config.maxFrameSize());
        this.hostCallLimits = HostCallLimits.from(properties, config.maxFrameSize());
        this.hostCalls = new HostCallPool(hostCallLimits);
    }

    /** What no bundle may ask to read: the deploy folder, the bundle cache, the host's and plugins' directories. */
    private static List<Path> hostPrivate(Function<String, String> properties, Path plugins) {
        List<Path> paths = new ArrayList<>(List.of(plugins));
        for (String p : new String[] {properties.apply("outpost.deploy.dir"),
                properties.apply("org.osgi.framework.storage"), System.getProperty("user.dir")}) {
            if (p != null && !p.isBlank()) {
                Path path = Path.of(p).toAbsolutePath().normalize();
                if (path.getNameCount() > 0) { // never "/": that would refuse everything
                    paths.add(path);
                }
            }
        }
        return paths;
    }

    private static Spawner spawner() {
        try {
            return SpawnServer.load();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "plugins will not die with the host, and each spawn copies the host's descriptors: "
                    + e.getMessage());
            return new PosixSpawner();
        }
    }

    /**
     * Runs {@code launch} on the spawn thread, after the launches queued before it, and returns at
     * once. Nothing thrown in it ends that thread: every child it spawned would die with it.
     */
    void onSpawnThread(Runnable launch) {
        spawnThread.execute(() -> {
            try {
                launch.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "a plugin launch failed unexpectedly", e);
            }
        });
    }

    /** Spawns; only on the spawn thread ({@link #onSpawnThread}), whose life the children's parent-death signal follows. */
    ChildProcess spawn(SpawnRequest request) throws SpawnException {
        if (Thread.currentThread() != spawning) {
            throw new IllegalStateException("plugins are spawned on outpost-spawn only, not on " + Thread.currentThread());
        }
        return spawner.spawn(request);
    }

    /** Stops the threads. Plugins must have been stopped first. */
    @Override
    public void close() {
        hostCalls.close();
        spawnThread.shutdown();
        supervisor.shutdown();
        registry.shutdown();
        timer.shutdownNow();
        try {
            supervisor.awaitTermination(10, TimeUnit.SECONDS);
            registry.awaitTermination(10, TimeUnit.SECONDS);
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reactor.close();
        images.close();
        directories.close();
        confiner.close();
        if (spawner instanceof SpawnServer server) {
            server.close();
        }
    }
}
