/**
 * One plugin process, from spawn to reap: its launch (socketpair, pipes, environment, the spawn on
 * the spawn thread), the host's half of the handshake, the stop sequence and the end after a
 * failure, the liveness check, the forwarding of its output into the host's log; the threads every
 * process shares ({@code PluginHost}) and the explicit state machines.
 *
 * <p>May use {@code sandbox}, {@code channel}, {@code wire}, {@code content}, {@code config} and {@code os}.
 */
package dev.outpost.runtime.process;
