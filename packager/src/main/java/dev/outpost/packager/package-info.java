/**
 * The packaging command ({@link dev.outpost.packager.Package}): an Outpost plugin bundle made from
 * executables built anywhere. {@code Executable} reads and checks one executable, {@code Headers}
 * makes the {@code Outpost-*} header values and has the runtime read them, {@code BundleWriter}
 * writes the jar with bnd, {@code Signing} signs it with the JDK's {@code JarSigner}.
 *
 * <p>The header names are the plugin API's ({@code OutpostHeaders}) and the rules they are checked
 * by the runtime's ({@code dev.outpost.runtime.content.PluginSpec}), so that the packager cannot
 * drift from what a host reads. Of the runtime only that package and its configuration parsing go
 * into the runnable jar, with picocli and bndlib: it runs as one jar outside this repository.
 */
package dev.outpost.packager;
