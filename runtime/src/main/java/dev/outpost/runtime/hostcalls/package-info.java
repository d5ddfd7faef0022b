/**
 * Calls from plugins to the host: the services a plugin's bundle imports ({@code Outpost-Import}),
 * found in the OSGi registry as they come and go; each process's calls served with deadlines,
 * cancels and a bound; and the pool of threads they run on, shared fairly between plugins.
 *
 * <p>May use {@code channel}, {@code wire} and {@code config}.
 */
package dev.outpost.runtime.hostcalls;
