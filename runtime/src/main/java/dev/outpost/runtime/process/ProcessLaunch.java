package dev.outpost.runtime.process;

import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.ExecutableImage;
import dev.outpost.runtime.os.Posix;
import dev.outpost.runtime.os.SpawnRequest;
import dev.outpost.runtime.sandbox.ProcessSandbox;
import dev.outpost.runtime.sandbox.SandboxException;
import dev.outpost.runtime.wire.Handshake;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One spawn of a plugin: a private working directory, a socketpair and two pipes made, the process
 * spawned on them in that directory with its documented environment, and the child's ends closed in
 * the host.
 *
 * @param child the process; the caller owns it (reap and close)
 * @param socketFd the host's end of the socket; the caller owns it
 * @param stdoutFd the read end of the plugin's stdout; the caller owns it
 * @param stderrFd the read end of the plugin's stderr; the caller owns it
 * @param directory the plugin's private working directory; the caller removes it once the child is reaped
 * @param sandbox its confinement and cgroup; the caller releases it once the child is reaped
 */
record ProcessLaunch(ChildProcess child, int socketFd, int stdoutFd, int stderrFd, Path directory,
                     ProcessSandbox sandbox) {

    /**
     * Spawns; on failure nothing is left open and nothing runs.
     *
     * @throws SandboxException when the plugin cannot have the sandbox it needs (e.g. it asks for
     *     more than the host allows)
     */
    static ProcessLaunch spawn(PluginHost host, PluginSpec spec, ExecutableImage image)
            throws IOException, SandboxException {
        int[] socket = null;
        int[] out = null;
        int[] err = null;
        Path directory = null;
        ProcessSandbox sandbox = null;
        try {
            directory = host.directories.create(spec.name());
            sandbox = host.confiner.prepare(directory.getFileName().toString(), spec.sandbox(), directory);
            socket = Posix.socketPair();
            out = Posix.pipe();
            err = Posix.pipe();
            List<String> argv = new ArrayList<>();
            argv.add(spec.name());
            argv.addAll(spec.arguments());
            ChildProcess child = host.spawn(new SpawnRequest(image, argv, environment(host, spec, directory),
                    socket[1], out[1], err[1], directory, sandbox.confinement()));
            sandbox.spawned(child, spec.name());
            return new ProcessLaunch(child, socket[0], out[0], err[0], directory, sandbox);
        } catch (IOException | SandboxException | RuntimeException e) {
            for (int[] pair : new int[][] {socket, out, err}) {
                if (pair != null) {
                    Posix.close(pair[0]);
                }
            }
            if (sandbox != null) {
                sandbox.release();
            }
            host.directories.remove(directory);
            throw e;
        } finally {
            // the child has its copies now; ours would keep the pipes and the socket open forever
            for (int[] pair : new int[][] {socket, out, err}) {
                if (pair != null) {
                    Posix.close(pair[1]);
                }
            }
        }
    }

    /** The plugin's whole environment (docs/protocol.md). */
    static Map<String, String> environment(PluginHost host, PluginSpec spec, Path directory) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("TMPDIR", directory.toString());
        env.put("OUTPOST_FD", "3");
        env.put("OUTPOST_PROTOCOL_VERSION", String.valueOf(Handshake.MAX_VERSION));
        env.put("OUTPOST_PLUGIN_NAME", spec.name());
        env.put("OUTPOST_MAX_FRAME_SIZE", String.valueOf(host.config.maxFrameSize()));
        env.put("OUTPOST_SPIN_US", String.valueOf(host.config.spin().toNanos() / 1000));
        return env;
    }
}
