package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExecutableImageTest {
    private static final byte[] BYTES = {0x7f, 'E', 'L', 'F', 1, 2, 3, 4, 5};

    @Test
    void memfdImageIsSealedAgainstEveryChange() throws Exception {
        try (ExecutableImage image = ExecutableImage.load("sealed", BYTES)) {
            assertTrue(image.inMemory());
            int all = LibC.F_SEAL_SEAL | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE;
            assertEquals(all, Posix.fcntl(image.memfd(), LibC.F_GET_SEALS, 0));
            assertThrows(IOException.class, () -> {
                try (FileChannel ch = FileChannel.open(Path.of(image.execPath()), StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[] {0}));
                }
            });
            assertArrayEquals(BYTES, Files.readAllBytes(Path.of(image.execPath())), "what runs is what was read");
        }
    }

    @Test
    void aSpawnExecutesTheSealedMemfdItselfAndNoFileIsMadeForIt() throws Exception {
        java.util.Set<Path> before = execDirectories();
        try (ExecutableImage image = ExecutableImage.load("path", BYTES)) {
            assertEquals(image.memfd(), image.execFd());
            assertEquals("/proc/" + Posix.getpid() + "/fd/" + image.memfd(), image.execPath());
            assertTrue(Procfs.link(image.execPath()).startsWith("/memfd:path"), "named after the image");
            assertEquals(BYTES.length, image.size());
            assertEquals(1, Posix.fcntl(image.memfd(), LibC.F_GETFD, 0) & 1, "close-on-exec");
            assertEquals(before, execDirectories(), "no directory, no symlink another process could change");
        }
    }

    private static java.util.Set<Path> execDirectories() throws IOException {
        java.util.Set<Path> found = new java.util.HashSet<>();
        for (Path root : new Path[] {Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir"))}) {
            if (Files.isDirectory(root)) {
                try (var list = Files.list(root)) {
                    list.filter(p -> p.getFileName().toString().startsWith("outpost-exec-")).forEach(found::add);
                }
            }
        }
        return found;
    }

    @Test
    void closeIsIdempotentAndReleasesTheMemfd() throws Exception {
        java.util.Set<Integer> before = Procfs.fds("self");
        ExecutableImage image = ExecutableImage.load("closing", BYTES);
        assertEquals(java.util.Set.of(image.memfd()), Procfs.memfdsOpenedSince(before));
        assertThrows(IllegalStateException.class, () -> {
            image.close();
            image.execFd();
        });
        image.close();
        image.close();
        assertEquals(java.util.Set.of(), Procfs.memfdsOpenedSince(before));
        assertThrows(IllegalStateException.class, image::execPath);
    }

    @Test
    void fileFallbackUsesAPrivateDirectoryAndCloseDeletesIt() throws Exception {
        ExecutableImage image = ExecutableImage.load("fallback", BYTES, false);
        Path file = Path.of(Procfs.link(image.execPath()));
        assertFalse(image.inMemory());
        assertEquals("fallback", file.getFileName().toString());
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertArrayEquals(BYTES, Files.readAllBytes(file));
        image.close();
        image.close();
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void refusesEmptyImagesAndBadNames() {
        assertThrows(IllegalArgumentException.class, () -> ExecutableImage.load("empty", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> ExecutableImage.load("a/b", BYTES));
        assertThrows(IllegalArgumentException.class, () -> ExecutableImage.load("..", BYTES));
        assertThrows(IllegalArgumentException.class, () -> ExecutableImage.load("", BYTES));
        assertThrows(IllegalArgumentException.class, () -> ExecutableImage.load("x".repeat(250), BYTES));
    }

    @Test
    void hasContentComparesWithWhatTheImageHolds() throws Exception {
        byte[] other = BYTES.clone();
        other[other.length - 1] ^= 1;
        for (boolean memfd : new boolean[] {true, false}) {
            ExecutableImage image = ExecutableImage.load("content", BYTES, memfd);
            assertTrue(image.hasContent(BYTES.clone()), image.toString());
            assertFalse(image.hasContent(other), "one bit differs");
            assertFalse(image.hasContent(Arrays.copyOf(BYTES, BYTES.length + 1)), "longer");
            image.close();
            assertThrows(IllegalStateException.class, () -> image.hasContent(BYTES));
        }
        byte[] large = new byte[150_000]; // read back in more than one piece
        new java.util.Random(7).nextBytes(large);
        try (ExecutableImage image = ExecutableImage.load("large", large)) {
            assertTrue(image.hasContent(large.clone()));
            byte[] lastDiffers = large.clone();
            lastDiffers[lastDiffers.length - 1] ^= 1;
            assertFalse(image.hasContent(lastDiffers), "the last byte, in the last piece, differs");
        }
    }
}
