/**
 * The shell: the {@code outpost:*} Gogo commands (plain methods returning text, usable without a
 * shell) and the bundles that make up the interactive shell.
 *
 * <p>May use {@code process} (a process's resident memory), {@code content} and {@code config},
 * and the Outpost and OSGi APIs.
 */
package dev.outpost.runtime.shell;
