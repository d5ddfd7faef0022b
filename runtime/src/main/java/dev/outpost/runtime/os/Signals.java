package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.util.function.BooleanSupplier;

/** Linux x86-64 signal numbers and their names, and signalling a pid that is not this JVM's child. Owns nothing. */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };
    private static final int SIGRTMIN = 34, SIGRTMAX = 64; // as glibc and kill -l number them

    private Signals() {}

    /** "SIGKILL" for 9; "SIGRTMIN+2" for 36; "SIG99" for a number Linux does not have. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig == SIGRTMAX) {
            return "SIGRTMAX";
        }
        if (sig >= SIGRTMIN && sig < SIGRTMAX) {
            return "SIGRTMIN+" + (sig - SIGRTMIN);
        }
        return "SIG" + sig;
    }

    /**
     * Sends {@code signal} to {@code pid} (not a child of this JVM, e.g. a process found in a
     * plugin's cgroup) only if {@code stillTheOne} holds once the pid is pinned by a pidfd, so that
     * a pid reused after that process's exit is never signalled. Returns whether it was sent.
     */
    public static boolean signalIf(int pid, int signal, BooleanSupplier stillTheOne) {
        int pidfd = C.pidfd_open(pid, 0);
        if (pidfd < 0) {
            return false; // gone already
        }
        try {
            return stillTheOne.getAsBoolean() && C.pidfd_send_signal(pidfd, signal, null, 0) == 0;
        } finally {
            Posix.close(pidfd);
        }
    }
}
