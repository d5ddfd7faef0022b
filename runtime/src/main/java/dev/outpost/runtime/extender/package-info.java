/**
 * The extender: a bundle tracker that gives every active bundle with an {@code Outpost-Executable}
 * header a {@code PluginSupervisor}, and stops it, synchronously, when the bundle stops; the
 * {@code Plugins} service (list, restart, hot reload) and the delivery of plugin events.
 *
 * <p>May use {@code supervision}, {@code services}, {@code process}, {@code content} and
 * {@code config}.
 */
package dev.outpost.runtime.extender;
