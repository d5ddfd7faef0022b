package dev.outpost.runtime.wire;

import dev.outpost.protocol.v1.ConfigEntry;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import dev.outpost.protocol.v1.Welcome;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Judges a plugin's Hello: a common protocol version, a name, and well-formed, unique services
 * and methods. The answer is a Welcome or the reason for a refusal. Pure: no I/O.
 */
public final class Handshake {
    static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1;
    /** The minor version of {@link #MAX_VERSION}: 1.1 added calls from plugins to host services. */
    public static final int MINOR_VERSION = 1;
    static final String HOST_NAME = "outpost";
    static final String HOST_VERSION = "0.1.0";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-/]{0,127}");
    private static final int MAX_SERVICES = 256;
    private static final int MAX_METHODS = 1024;

    /** Either a welcome or a refusal reason. */
    public record Outcome(Welcome welcome, String refusal) {
        public boolean accepted() {
            return welcome != null;
        }
    }

    private Handshake() {
    }

    /** @param imports the host services the plugin may call now, listed in the Welcome */
    public static Outcome judge(Hello hello, Map<String, String> config, int maxFrameSize,
                                java.util.List<String> imports) {
        int min = hello.getMinVersion();
        int max = hello.getMaxVersion();
        if (min > max) {
            return refuse("protocol version range " + min + ".." + max + " is empty");
        }
        int chosen = Math.min(max, MAX_VERSION);
        if (chosen < Math.max(min, MIN_VERSION)) {
            return refuse("no common protocol version: plugin speaks " + min + ".." + max
                    + ", host speaks " + MIN_VERSION + ".." + MAX_VERSION);
        }
        if (!NAME.matcher(hello.getPluginName()).matches()) {
            return refuse("plugin name '" + hello.getPluginName() + "' is not a valid name");
        }
        if (hello.getServicesCount() > MAX_SERVICES) {
            return refuse("too many services: " + hello.getServicesCount() + " (at most " + MAX_SERVICES + ")");
        }
        Set<String> services = new HashSet<>();
        for (ServiceDescriptor s : hello.getServicesList()) {
            if (!NAME.matcher(s.getName()).matches()) {
                return refuse("service name '" + s.getName() + "' is not a valid name");
            }
            if (!services.add(s.getName())) {
                return refuse("service '" + s.getName() + "' is declared twice");
            }
            if (s.getMethodsCount() > MAX_METHODS) {
                return refuse("service '" + s.getName() + "' declares too many methods");
            }
            Set<String> methods = new HashSet<>();
            for (String m : s.getMethodsList()) {
                if (!NAME.matcher(m).matches()) {
                    return refuse("method name '" + m + "' of service '" + s.getName() + "' is not a valid name");
                }
                if (!methods.add(m)) {
                    return refuse("method '" + m + "' of service '" + s.getName() + "' is declared twice");
                }
            }
        }
        Welcome.Builder welcome = Welcome.newBuilder()
                .setVersion(chosen).setHostName(HOST_NAME).setHostVersion(HOST_VERSION)
                .setMaxFrameSize(maxFrameSize).setMinorVersion(MINOR_VERSION).addAllImports(imports);
        config.forEach((k, v) -> welcome.addConfig(ConfigEntry.newBuilder().setKey(k).setValue(v)));
        return new Outcome(welcome.build(), null);
    }

    private static Outcome refuse(String reason) {
        return new Outcome(null, reason);
    }
}
