package dev.outpost.runtime.channel;

/**
 * What the host offers one plugin to call, across its processes: the names its Welcome lists, and a
 * {@link RequestHandler} for each process's connection. Implementations are thread-safe.
 */
public interface HostSide {
    /** The host services the plugin imports that are available now, for its Welcome. */
    java.util.List<String> available();

    /** Serves the calls of one process, {@code name} (for messages), until its handler is closed. */
    RequestHandler open(String name);

    /** A plugin that may call nothing: every request is answered PERMISSION_DENIED. */
    HostSide NONE = new HostSide() {
        @Override
        public java.util.List<String> available() {
            return java.util.List.of();
        }

        @Override
        public RequestHandler open(String name) {
            return null;
        }
    };
}
