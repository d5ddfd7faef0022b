/**
 * What a plugin bundle carries: its {@code Outpost-*} headers parsed and checked
 * ({@code PluginSpec}, {@code RestartPolicy}), the executable chosen for this platform, and the
 * sealed executable images, cached per bundle revision.
 *
 * <p>May use {@code config} and {@code os} (an image is a sealed memfd).
 */
package dev.outpost.runtime.content;
