package dev.outpost.runtime.process;

import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;

/**
 * What an exit the host did not ask for says about the plugin, as systemd judges a service's
 * exit: exit code 0, or death by SIGTERM, SIGINT or SIGHUP (signals somebody sent to end it, which
 * it did not handle), is a clean exit: the plugin left, it did not crash. Any other exit code or
 * signal (SIGKILL, which is also what the kernel's OOM killer sends, SIGSEGV, SIGABRT...) is a
 * failure.
 */
final class Exits {
    private Exits() {
    }

    static boolean isClean(ExitStatus status) {
        if (status.signaled()) {
            int s = status.signal();
            return s == Signals.SIGTERM || s == Signals.SIGINT || s == Signals.SIGHUP;
        }
        return status.code() == 0;
    }
}
