/**
 * Every native call of the runtime, through jnr-ffi: sockets, pipes, poll and epoll, pidfds,
 * sealed memfds, signals, and the two spawners ({@code SpawnServer}, through the
 * {@code outpost-spawner} process, and {@code PosixSpawner}). Each class says who owns the
 * descriptors and pids it hands out.
 *
 * <p>Uses nothing else of the runtime.
 */
package dev.outpost.runtime.os;
