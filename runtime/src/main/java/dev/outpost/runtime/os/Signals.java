package dev.outpost.runtime.os;

/** Linux x86-64 signal numbers and their names. Owns nothing. */
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
}
