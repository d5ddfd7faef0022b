/**
 * The entry points: {@link dev.outpost.runtime.OutpostFramework} embeds Felix with Outpost in an
 * application, {@link dev.outpost.runtime.OutpostActivator} starts the runtime in any framework
 * (the shared threads, the extender, the {@code Plugins} service and the shell commands).
 * Everything else lives in the packages below, from the top: {@code launcher}, {@code deploy} and
 * {@code shell}, {@code extender}, {@code supervision}, {@code services}, {@code process},
 * {@code channel}, {@code wire}, with {@code content}, {@code config} and {@code os} beside them.
 *
 * <p>May use {@code extender}, {@code shell}, {@code process} and {@code config}.
 */
package dev.outpost.runtime;
