package dev.outpost.runtime.os;

import java.util.Locale;

/**
 * The machine this JVM runs on, as far as the layouts of the kernel's structures this package
 * fills in by hand go. They are the same on every 64-bit Linux (siginfo_t, msghdr, iovec,
 * cmsghdr) but for {@code struct epoll_event}, which x86-64 packs (12 bytes, the data at offset 4)
 * and aarch64 does not (16 bytes, the data at offset 8). Any other system is refused at once, with
 * a message that says so, rather than misread.
 */
public enum Arch {
    X86_64(12, 4), AARCH64(16, 8);

    /** sizeof(struct epoll_event) */
    final int epollEventSize;
    /** offsetof(struct epoll_event, data) */
    final int epollDataOffset;

    Arch(int epollEventSize, int epollDataOffset) {
        this.epollEventSize = epollEventSize;
        this.epollDataOffset = epollDataOffset;
    }

    /**
     * The machine of this JVM.
     *
     * @throws UnsupportedOperationException naming the system, when it is not Linux on x86-64 or aarch64
     */
    public static Arch current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    static Arch of(String osName, String osArch) {
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        boolean linux = osName != null && osName.toLowerCase(Locale.ROOT).startsWith("linux");
        if (linux && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return X86_64;
        }
        if (linux && (arch.equals("aarch64") || arch.equals("arm64"))) {
            return AARCH64;
        }
        throw new UnsupportedOperationException("Outpost runs plugins on Linux on x86-64 or aarch64; this JVM runs on "
                + osName + " " + osArch);
    }
}
