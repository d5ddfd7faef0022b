package dev.outpost.api;

/**
 * The bundle manifest headers the Outpost runtime reads. A bundle without
 * {@link #EXECUTABLE} is not a plugin and is left alone.
 */
public final class OutpostHeaders {
    /**
     * The executables the bundle carries, in {@code Bundle-NativeCode} style: comma-separated
     * clauses, each a path inside the bundle followed by {@code osname} and {@code processor}
     * attributes, for example
     * {@code bin/linux-x86_64/echo; osname=Linux; processor=x86-64}.
     * The runtime runs the first clause that matches the host.
     */
    public static final String EXECUTABLE = "Outpost-Executable";
    /** The plugin's name, used as the process's argv[0]. Defaults to the executable's file name. */
    public static final String NAME = "Outpost-Name";
    /** Arguments given to the executable after argv[0], comma-separated. Optional. */
    public static final String ARGUMENTS = "Outpost-Arguments";
    /** Configuration sent to the plugin in the handshake: comma-separated {@code key=value} pairs. */
    public static final String CONFIG = "Outpost-Config";

    private OutpostHeaders() {
    }
}
