package dev.outpost.runtime.os;

/**
 * Starts plugin processes: {@link SpawnServer} (through the {@code outpost-spawner} process, what
 * the runtime uses) or {@link PosixSpawner} (straight from this JVM); tests of the layers above
 * may supply their own.
 *
 * <p>Ownership: the returned {@link ChildProcess} belongs to the caller, who must kill it if need
 * be, reap it ({@link ChildProcess#tryReap()} / {@link ChildProcess#awaitExit(long)}) and close it.
 * The request's fds stay the caller's.
 */
public interface Spawner {
    ChildProcess spawn(SpawnRequest request) throws SpawnException;
}
