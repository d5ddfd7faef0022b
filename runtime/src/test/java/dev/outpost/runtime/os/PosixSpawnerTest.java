package dev.outpost.runtime.os;

/** The spawner contract, spawning straight from this JVM with posix_spawn. */
class PosixSpawnerTest extends SpawnerContract {
    @Override
    Spawner spawner() {
        return new PosixSpawner();
    }
}
