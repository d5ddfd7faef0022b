/**
 * Confinement of plugin processes: what a bundle asks ({@code Outpost-Sandbox}) within what the
 * host allows ({@code outpost.sandbox.*}), turned into the {@code Confinement} the spawner's child
 * applies to itself before the exec (ids, capabilities, no_new_privs, rlimits, Landlock, seccomp,
 * a pid namespace), and the plugin's cgroups on v1 or v2 (memory, tasks, CPU; usage; OOM kills;
 * killing it whole). What this host cannot give is said once, when the runtime starts.
 *
 * <p>May use {@code content}, {@code config} and {@code os}.
 */
package dev.outpost.runtime.sandbox;
