package dev.outpost.runtime.supervision;

import dev.outpost.runtime.content.Platform;
import dev.outpost.runtime.content.PluginContent;
import dev.outpost.runtime.content.PluginImage;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.content.RestartPolicy;
import dev.outpost.runtime.hostcalls.PluginImports;
import dev.outpost.runtime.process.PluginHost;
import dev.outpost.runtime.services.TypedInterfaces;
import org.osgi.framework.Bundle;

/**
 * What a supervisor reads from its bundle once, as it starts, checked: the plugin's spec, its
 * restart policy with the host's overrides, its executable image, the generated interfaces of its
 * services and the host services it may call.
 *
 * <p>Owns the image and the imports until {@link #close()}, which the supervisor calls when it stops.
 */
record PluginSetup(PluginSpec spec, RestartPolicy policy, PluginImage image, TypedInterfaces typed,
                   PluginImports imports) implements AutoCloseable {

    @Override
    public void close() {
        image.close();
        imports.close();
    }

    /**
     * @throws PluginSpec.InvalidPluginException when the headers describe no runnable plugin
     * @throws IllegalArgumentException when the host refuses what the bundle asks (its sandbox), or a
     *     generated interface it names cannot serve
     */
    static PluginSetup read(Bundle bundle, PluginContent content, PluginHost host)
            throws PluginSpec.InvalidPluginException {
        PluginSpec spec = PluginSpec.parse(content::header, Platform.current(), content::has);
        RestartPolicy policy = spec.restart().overriddenBy(host.properties);
        var refusal = host.confiner.refusal(spec.sandbox());
        if (refusal.isPresent()) {
            throw new IllegalArgumentException(refusal.get());
        }
        TypedInterfaces typed = TypedInterfaces.load(bundle, spec.interfaces());
        PluginImports imports = new PluginImports(spec.name(), bundle.getBundleContext(), bundle.getBundleId(),
                spec.imports(), host.hostCalls, host.timer, host.hostCallLimits);
        return new PluginSetup(spec, policy, new PluginImage(content, spec.name(), spec.executablePath(),
                spec.executableDigest(), host.verification), typed, imports);
    }
}
