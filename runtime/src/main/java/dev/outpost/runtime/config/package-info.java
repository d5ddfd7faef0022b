/**
 * The runtime's settings, read from framework properties ({@code outpost.*}), each with a default
 * and a clear error naming the property when it does not parse; and how the runtime names its
 * threads.
 *
 * <p>Uses nothing else of the runtime.
 */
package dev.outpost.runtime.config;
