/**
 * The deploy folder: jars installed, updated (hot reload through {@code Plugins.update}) and
 * uninstalled as they appear, change and go; development mode ({@code NAME.plugin} files naming an
 * executable in a build folder); the thread that scans.
 *
 * <p>May use {@code content} and {@code config}, and the Outpost and OSGi APIs.
 */
package dev.outpost.runtime.deploy;
