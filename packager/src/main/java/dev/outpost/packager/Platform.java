package dev.outpost.packager;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The platforms an executable can be packaged for: the name given on the command line (and used as
 * the folder under {@code bin/}), the {@code osname} and {@code processor} of its
 * {@code Outpost-Executable} clause, and the ELF machine the executable must be built for.
 */
enum Platform {
    LINUX_X86_64("linux-x86_64", "Linux", "x86-64", 62),
    LINUX_AARCH64("linux-aarch64", "Linux", "aarch64", 183);

    final String id;
    final String osName;
    final String processor;
    /** {@code e_machine} of the ELF header: EM_X86_64, EM_AARCH64. */
    final int elfMachine;

    Platform(String id, String osName, String processor, int elfMachine) {
        this.id = id;
        this.osName = osName;
        this.processor = processor;
        this.elfMachine = elfMachine;
    }

    static Platform of(String id) throws PackagingException {
        for (Platform p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new PackagingException("--executable: unknown platform '" + id + "' (known: " + known() + ")");
    }

    static String known() {
        return Arrays.stream(values()).map(p -> p.id).collect(Collectors.joining(", "));
    }

    /**
     * This platform as the runtime names a host: the OS name as it normalizes it (lower case),
     * the processor as the clause gives it (already the OSGi name the runtime uses).
     */
    dev.outpost.runtime.content.Platform host() {
        return new dev.outpost.runtime.content.Platform(osName.toLowerCase(Locale.ROOT), processor);
    }

    /** The platform whose ELF machine is {@code machine}, or null. */
    static Platform ofElfMachine(int machine) {
        for (Platform p : values()) {
            if (p.elfMachine == machine) {
                return p;
            }
        }
        return null;
    }
}
