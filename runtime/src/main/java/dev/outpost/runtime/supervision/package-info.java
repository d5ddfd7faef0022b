/**
 * One plugin across its processes: its state as the outside sees it, the restart policy applied
 * within its budget, calls routed to the process that serves (or will), and its services kept in
 * the registry across restarts and hot reloads.
 *
 * <p>May use {@code services}, {@code process}, {@code channel}, {@code content}, {@code config}
 * and {@code wire}.
 */
package dev.outpost.runtime.supervision;
