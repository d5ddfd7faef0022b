package dev.outpost.packager;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a plugin bundle is made of, checked: its OSGi identity, its executables, its
 * {@code Outpost-*} headers (name to value, in manifest order), and optionally Java classes to
 * carry and export, with the jars those classes are compiled against.
 *
 * @param symbolicName Bundle-SymbolicName
 * @param version Bundle-Version, a valid OSGi version
 * @param name the plugin's name, the file name of every executable entry
 * @param executables one per platform
 * @param headers the Outpost-* headers, Outpost-Executable among them
 * @param interfaces the generated interfaces of the plugin's services (Outpost-Service), service
 *        name to class name, as the runtime reads them
 * @param classes a folder of classes to export, or null
 * @param classpath what the classes refer to, for the versions of their imports; may be empty
 */
record PluginBundle(String symbolicName, String version, String name, List<Executable> executables,
                    Map<String, String> headers, Map<String, String> interfaces, Path classes, List<Path> classpath) {
}
