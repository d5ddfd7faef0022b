package dev.outpost.api;

/** Names of the OSGi service properties of every registered {@link PluginService}. */
public final class PluginServiceProperties {
    /** The plugin's name ({@code String}). */
    public static final String PLUGIN_NAME = "outpost.plugin.name";
    /** The plugin's version as it announced it ({@code String}). */
    public static final String PLUGIN_VERSION = "outpost.plugin.version";
    /** The service's name ({@code String}). */
    public static final String SERVICE_NAME = "outpost.service.name";
    /** The service's methods ({@code String[]}). */
    public static final String METHODS = "outpost.service.methods";
    /** The plugin process's pid ({@code Long}). */
    public static final String PID = "outpost.plugin.pid";
    /** The id of the bundle that carries the plugin ({@code Long}). */
    public static final String BUNDLE_ID = "outpost.bundle.id";

    private PluginServiceProperties() {
    }
}
