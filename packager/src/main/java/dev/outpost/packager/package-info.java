/**
 * The packaging command ({@link dev.outpost.packager.Package}): an Outpost plugin bundle made from
 * executables built anywhere. {@code Executable} reads and checks one executable, {@code Headers}
 * makes and checks the {@code Outpost-*} header values, {@code BundleWriter} writes the jar with
 * bnd, {@code Signing} signs it with the JDK's {@code JarSigner}.
 *
 * <p>Depends on picocli, bndlib and the JDK only: nothing of the runtime or the plugin API, so that
 * it runs as one small jar outside this repository.
 */
package dev.outpost.packager;
