/**
 * The {@code outpost} command: its command line (picocli), the host's log level, SIGTERM and
 * Ctrl-C as a request to stop, and the start-up progress the operator sees.
 *
 * <p>May use the root package (to embed the framework), {@code deploy}, {@code shell},
 * {@code content} and {@code config}.
 */
package dev.outpost.runtime.launcher;
