package dev.outpost.packager;

import static dev.outpost.packager.Fixtures.EM_X86_64;
import static dev.outpost.packager.Fixtures.elf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bnd instructions docs/packaging.md gives Maven users (bnd-maven-plugin, no packager): bnd's
 * own {@code ${digest;SHA-256;file}} macro, lower-cased, gives the clause the packager writes.
 */
class BndRecipeTest {
    @TempDir
    Path dir;

    @Test
    void theDocumentedMacrosGiveTheSameClauseAsThePackager() throws Exception {
        Path echo = elf(dir, "echo", EM_X86_64, "x86 build");
        Properties bnd = new Properties();
        bnd.load(new StringReader("""
                outpost.native.dir: %s
                Bundle-SymbolicName: org.example.echo
                Bundle-Version: 1.2.3
                Outpost-Name: echo
                Outpost-Executable: bin/linux-x86_64/echo; osname=Linux; processor=x86-64; \\
                 sha-256=${tolower;${digest;SHA-256;${outpost.native.dir}/echo}}
                -includeresource: bin/linux-x86_64/echo=${outpost.native.dir}/echo
                -noextraheaders: true
                """.formatted(dir)));
        String fromBnd;
        try (Builder builder = new Builder()) {
            builder.setBase(dir.toFile());
            builder.setProperties(bnd);
            Jar jar = builder.build();
            assertTrue(builder.getErrors().isEmpty(), builder.getErrors()::toString);
            fromBnd = jar.getManifest().getMainAttributes().getValue("Outpost-Executable");
        }
        Path out = dir.resolve("echo.jar");
        assertEquals(0, Fixtures.run("--name", "echo", "--version", "1.2.3", "--executable", "linux-x86_64=" + echo,
                "-o", out.toString()).status());
        assertEquals(Fixtures.header(out, "Outpost-Executable"), fromBnd);
    }
}
