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
    /**
     * What happens when the plugin's process dies: {@code never}, {@code on-failure} (restart after
     * an exponential backoff with jitter) or {@code on-demand} (restart at the next call), with
     * optional attributes {@code initial-delay} and {@code max-delay} (milliseconds), and
     * {@code intensity} and {@code period}: at most {@code intensity} restarts within
     * {@code period} milliseconds, else the plugin fails for good. Example:
     * {@code on-failure; initial-delay=100; max-delay=30000; intensity=5; period=60000}.
     * Host configuration ({@code outpost.restart.*}) overrides it.
     */
    public static final String RESTART = "Outpost-Restart";
    /**
     * What the plugin's sandbox must allow it, as {@code key=value} pairs separated by {@code ;}:
     * {@code memory} (bytes, with k, m or g), {@code tasks} (processes and threads), {@code cpu}
     * (cores, e.g. 0.5), {@code files} (open descriptors), {@code file-size} (bytes per file
     * written), {@code network} ({@code none}, {@code connect} or {@code any}), {@code read} (more
     * paths to read, separated by {@code :}) and {@code profile} ({@code default} or the stricter
     * {@code compute}). Example: {@code memory=64m; tasks=16; cpu=0.5; network=connect}. Optional:
     * the host's defaults apply to what is not asked; the host's ceilings ({@code outpost.sandbox.*})
     * refuse a bundle that asks for more. See docs/sandbox.md.
     */
    public static final String SANDBOX = "Outpost-Sandbox";

    /**
     * The generated Java interfaces of the plugin's services, for consumers that want typed calls:
     * comma-separated clauses, each a service name with an {@code interface} attribute naming an
     * interface made by {@code protoc-gen-outpost} from the service's {@code .proto}, for example
     * {@code zlib; interface=dev.outpost.sample.zlib.Zlib}. The bundle carries (and exports) the
     * interface; the runtime registers it beside the service's {@link PluginService}, with the same
     * properties, while the plugin serves that service. Optional.
     */
    public static final String SERVICE = "Outpost-Service";
    /**
     * The host services the plugin may call, comma-separated: a name alone is a service that a Java
     * bundle offers under that {@link HostService#EXPORT} name; a name with a {@code plugin}
     * attribute is that plugin's service of that name (its bundle's {@link #NAME}), for example
     * {@code kv, zlib; plugin=zlib}. A plugin is never reached by a plain name, so a plugin that
     * declares a service called {@code kv} cannot pass for the host's. A call to anything else is
     * answered {@link ErrorCode#PERMISSION_DENIED}. Optional: without it a plugin may call nothing.
     */
    public static final String IMPORT = "Outpost-Import";

    private OutpostHeaders() {
    }
}
