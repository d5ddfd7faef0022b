package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.runtime.channel.PluginChannel;
import dev.outpost.runtime.channel.Reactor;
import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.sandbox.ProcessSandbox;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The host's side of one running plugin process: the child (its pid and pidfd), the
 * {@link PluginChannel} on its socket and the {@link OutputForwarder}s of its stdout and stderr,
 * as the {@link Reactor} watches them. Owns all of these from construction until
 * {@link #release()}, which closes them; reaping the child is its owner's
 * ({@link PluginProcess}), which can still do it by pid after the release.
 */
final class ProcessIo implements LivenessCheck.Pings {
    final ChildProcess child;
    final PluginChannel channel;
    final OutputForwarder stdout;
    final OutputForwarder stderr;
    private final Reactor reactor;
    private final WorkingDirectories directories;
    private final java.nio.file.Path directory;
    final ProcessSandbox sandbox;
    private long pidfdKey; // guarded by this; 0 when not watched
    private boolean released; // guarded by this

    ProcessIo(ProcessLaunch launch, String name, PluginHost host, LogLimiter limiter,
                    PluginChannel.Listener frames) {
        this.child = launch.child();
        this.reactor = host.reactor;
        this.directories = host.directories;
        this.directory = launch.directory();
        this.sandbox = launch.sandbox();
        int pid = child.pid();
        this.stdout = new OutputForwarder(launch.stdoutFd(), "stdout", name, pid, Level.INFO, limiter);
        this.stderr = new OutputForwarder(launch.stderrFd(), "stderr", name, pid, Level.WARNING, limiter);
        this.channel = new PluginChannel(name + " (pid " + pid + ")", launch.socketFd(), host.config.maxFrameSize(),
                host.config.writeTimeout().toMillis(), host.config.spin().toNanos(), host.timer, host.answers, frames);
    }

    /**
     * Starts watching the pipes, the socket and the pidfd; {@code exited} runs on the reactor when
     * the process has ended. A process that dies at once is released on other threads, and
     * {@link #release()} waits for this to finish.
     */
    synchronized void watch(Runnable exited) throws IOException {
        stdout.attach(reactor);
        stderr.attach(reactor);
        pidfdKey = reactor.register(child.pidfd(), events -> exited.run());
        channel.attach(reactor);
    }

    /** Stops watching the pidfd (its end has been seen, or somebody waits for it). */
    synchronized void unwatchExit() {
        if (pidfdKey != 0) {
            reactor.unregister(pidfdKey);
            pidfdKey = 0;
        }
    }

    /**
     * The plugin was told to leave and a thread waits for its exit: nothing it sends matters any
     * more, and the reactor need not wake for the end of its socket and its pidfd while it exits
     * (the pipes stay watched, so what it says while leaving is still logged).
     */
    void leaving() {
        channel.stopReading();
        unwatchExit();
    }

    /**
     * Stops watching, closes everything but the pid, kills what is left in the sandbox's cgroup and
     * removes it, and removes the working directory (the child has been reaped, or is given up on).
     * Idempotent.
     */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        unwatchExit();
        channel.close();
        stdout.close();
        stderr.close();
        child.close();
        sandbox.release();
        directories.remove(directory);
    }

    /** The last {@code n} lines of stderr, including what the pipe holds now. */
    List<String> lastStderr(int n) {
        stderr.drain();
        List<String> tail = stderr.tail();
        return tail.subList(Math.max(0, tail.size() - n), tail.size());
    }

    @Override
    public void send(Frame ping) {
        channel.sendLater(ping);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }
}
