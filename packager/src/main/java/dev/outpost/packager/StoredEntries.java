package dev.outpost.packager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar with every entry stored, in the same order. The signer deflates the manifest and the
 * signature files it writes; an entry's bytes are what is signed, not its compression, so the copy
 * verifies as the original does.
 */
final class StoredEntries {
    private StoredEntries() {
    }

    static void copy(Path in, Path out) throws IOException {
        try (ZipFile zip = new ZipFile(in.toFile());
             ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                byte[] data;
                try (var entry = zip.getInputStream(e)) {
                    data = entry.readAllBytes();
                }
                CRC32 crc = new CRC32();
                crc.update(data);
                ZipEntry stored = new ZipEntry(e.getName());
                stored.setMethod(ZipEntry.STORED);
                stored.setSize(data.length);
                stored.setCompressedSize(data.length);
                stored.setCrc(crc.getValue());
                stored.setTime(e.getTime());
                zos.putNextEntry(stored);
                zos.write(data);
                zos.closeEntry();
            }
        }
    }
}
