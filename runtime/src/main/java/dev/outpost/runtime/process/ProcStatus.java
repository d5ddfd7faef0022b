package dev.outpost.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What {@code /proc/PID/status} says about a process, read only when asked. */
public final class ProcStatus {
    private ProcStatus() {
    }

    /** Resident memory in KiB ({@code VmRSS}), empty when the process is gone or has none (a zombie). */
    public static OptionalLong residentKib(long pid) {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // exited while we looked, or no such line
        }
        return OptionalLong.empty();
    }

    /**
     * Whether {@code signal} has its default disposition in the process: neither caught
     * ({@code SigCgt}) nor ignored ({@code SigIgn}); false when that cannot be read.
     */
    public static boolean takesDefault(long pid, int signal) {
        long bit = 1L << (signal - 1);
        int seen = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("SigCgt:") || line.startsWith("SigIgn:")) {
                    if ((Long.parseUnsignedLong(line.substring(7).trim(), 16) & bit) != 0) {
                        return false;
                    }
                    seen++;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // exited while we looked
        }
        return seen == 2;
    }
}
