package dev.outpost.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged launcher ({@code java -jar outpost-runtime.jar ...}) as a child process, its output read line by line. */
final class LauncherProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("outpost.test.launcher", "../runtime/target/outpost-runtime.jar"));

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private LauncherProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "launcher-output");
        reader.setDaemon(true);
        reader.start();
    }

    static LauncherProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new LauncherProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * The launcher with a terminal, as a person runs it: under {@code script}, which gives it a
     * pseudo-terminal and relays what {@link #type} writes, so that a typed Ctrl-C reaches it as the
     * terminal's SIGINT.
     */
    static LauncherProcess startOnTerminal(String... args) throws IOException {
        // exec: script runs the command with $SHELL -c, and dash (/bin/sh when SHELL is unset) does
        // not exec a lone command; a shell left waiting would die of the Ctrl-C itself (status 130).
        StringBuilder command = new StringBuilder("exec ")
                .append(quote(Path.of(System.getProperty("java.home"), "bin", "java").toString()))
                .append(" -jar ").append(quote(JAR.toString()));
        for (String arg : args) {
            command.append(' ').append(quote(arg));
        }
        return new LauncherProcess(new ProcessBuilder("script", "-qfec", command.toString(), "/dev/null")
                .redirectErrorStream(true).start());
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** Types {@code keys} at the terminal (for {@link #startOnTerminal}). */
    void type(String keys) throws IOException {
        process.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException closed) {
            // the process is gone
        }
    }

    /** Waits (with a deadline) for a line, anywhere in the output so far or to come, that matches {@code regex}. */
    Matcher await(String regex) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TestRuntime.WAIT.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("no line matching /" + regex + "/ in:\n" + String.join("\n", lines));
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    /** Sends SIGTERM and waits for the exit status. (Not Process.destroy(): it also closes the output pipe.) */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        return exitStatus();
    }

    int exitStatus() throws InterruptedException {
        if (!process.waitFor(TestRuntime.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the launcher did not exit; output:\n" + output());
        }
        reader.join(TestRuntime.WAIT.toMillis());
        return process.exitValue();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
