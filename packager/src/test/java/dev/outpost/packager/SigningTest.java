package dev.outpost.packager;

import static dev.outpost.packager.Fixtures.EM_X86_64;
import static dev.outpost.packager.Fixtures.elf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --sign: what jarsigner would write, verified as the JDK verifies a signed jar. */
class SigningTest {
    private static final String ENTRY = "bin/linux-x86_64/echo";

    @TempDir
    Path dir;

    /** A key pair made by keytool, as an author would make one. */
    private Path keystore(String name, String alias, String... options) throws Exception {
        Path store = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-alias", alias, "-dname", "CN=Outpost Test " + alias,
                "-validity", "2"));
        command.addAll(List.of(options));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finishes");
        assertEquals(0, keytool.exitValue(), output);
        return store;
    }

    private Path rsaKeystore() throws Exception {
        return keystore("keys.p12", "echo", "-storetype", "PKCS12", "-storepass", "secret", "-keyalg", "RSA",
                "-keysize", "2048");
    }

    private Fixtures.Result pack(Path out, String sign) throws Exception {
        return pack(out, sign, Map.of());
    }

    private Fixtures.Result pack(Path out, String sign, Map<String, String> env) throws Exception {
        return Fixtures.run(env, "--name", "echo", "--version", "1.2.3",
                "--executable", "linux-x86_64=" + elf(dir, "echo", EM_X86_64, "signed build"),
                "--sign", sign, "-o", out.toString());
    }

    private static Certificate certificate(Path store, String type, String storepass, String alias) throws Exception {
        KeyStore keys = KeyStore.getInstance(type);
        try (InputStream in = new FileInputStream(store.toFile())) {
            keys.load(in, storepass.toCharArray());
        }
        return keys.getCertificate(alias);
    }

    /** Reads every entry fully (which is when JarFile checks its digest) and checks who signed it. */
    private static void assertSignedBy(Path jar, Certificate expected) throws Exception {
        int signed = 0;
        try (JarFile j = new JarFile(jar.toFile(), true)) {
            for (JarEntry e : Collections.list(j.entries())) {
                try (InputStream in = j.getInputStream(e)) {
                    in.readAllBytes();
                }
                if (e.isDirectory() || e.getName().startsWith("META-INF/")) {
                    continue;
                }
                CodeSigner[] signers = e.getCodeSigners();
                assertNotNull(signers, e.getName() + " is signed");
                assertEquals(1, signers.length);
                assertEquals(expected, signers[0].getSignerCertPath().getCertificates().get(0), e.getName());
                signed++;
            }
        }
        assertEquals(1, signed, "the executable is the one signed entry");
    }

    @Test
    void aSignedJarVerifiesAndNamesTheKeysCertificate() throws Exception {
        Path store = rsaKeystore();
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = pack(out, "keystore=" + store + ",alias=echo,storepass=secret");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("signed with 'echo' (CN=Outpost Test echo)"), r::toString);
        assertSignedBy(out, certificate(store, "PKCS12", "secret", "echo"));
        try (ZipFile zip = new ZipFile(out.toFile())) {
            assertNotNull(zip.getEntry("META-INF/ECHO.SF"));
            assertNotNull(zip.getEntry("META-INF/ECHO.RSA"));
            String sf = new String(zip.getInputStream(zip.getEntry("META-INF/ECHO.SF")).readAllBytes());
            assertTrue(sf.contains("SHA-256-Digest-Manifest"), sf);
            for (ZipEntry e : Collections.list(zip.entries())) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
            byte[] executable = zip.getInputStream(zip.getEntry(ENTRY)).readAllBytes();
            assertTrue(Fixtures.header(out, "Outpost-Executable").endsWith("sha-256=" + PackageTest.sha256(executable)));
        }
    }

    @Test
    void anEcKeyInAJksStoreWithItsOwnKeypassFromTheEnvironment() throws Exception {
        Path store = keystore("keys.jks", "release-key", "-storetype", "JKS", "-storepass", "storesecret",
                "-keypass", "keysecret", "-keyalg", "EC", "-groupname", "secp256r1");
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = pack(out, "keystore=" + store + ",alias=release-key,storepass-env=STOREPASS,"
                + "keypass-env=KEYPASS,storetype=JKS", Map.of("STOREPASS", "storesecret", "KEYPASS", "keysecret"));
        assertEquals(0, r.status(), r::toString);
        assertSignedBy(out, certificate(store, "JKS", "storesecret", "release-key"));
        try (ZipFile zip = new ZipFile(out.toFile())) {
            assertNotNull(zip.getEntry("META-INF/RELEASE-.EC"));
        }
    }

    @Test
    void aTamperedSignedJarFailsVerification() throws Exception {
        Path store = rsaKeystore();
        Path out = dir.resolve("echo.jar");
        assertEquals(0, pack(out, "keystore=" + store + ",alias=echo,storepass=secret").status());
        Path tampered = dir.resolve("tampered.jar");
        try (ZipFile zip = new ZipFile(out.toFile());
             ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(tampered))) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                byte[] data = zip.getInputStream(e).readAllBytes();
                if (e.getName().equals(ENTRY)) {
                    data[data.length - 1] ^= 1;
                }
                zos.putNextEntry(new ZipEntry(e.getName()));
                zos.write(data);
                zos.closeEntry();
            }
        }
        try (JarFile j = new JarFile(tampered.toFile(), true)) {
            JarEntry e = j.getJarEntry(ENTRY);
            SecurityException refused = assertThrows(SecurityException.class, () -> {
                try (InputStream in = j.getInputStream(e)) {
                    in.readAllBytes();
                }
            });
            assertTrue(refused.getMessage().contains(ENTRY), refused::getMessage);
        }
    }

    @Test
    void aBadSignOptionIsRefusedAndNothingIsWritten() throws Exception {
        Path store = rsaKeystore();
        Path out = dir.resolve("echo.jar");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("keystore=" + store + ",alias=echo,storepass=wrong", "storepass is wrong for keystore " + store);
        cases.put("keystore=" + store + ",alias=echo,pass=secret", "unknown key 'pass'");
        cases.put("keystore=" + store + ",alias=other,storepass=secret", "has no alias 'other' (it has: echo)");
        cases.put("keystore=" + dir.resolve("missing.p12") + ",alias=echo,storepass=secret", "no keystore file");
        cases.put("keystore=" + store + ",storepass=secret", "--sign needs alias=");
        cases.put("keystore=" + store + ",alias=echo", "--sign needs storepass=");
        cases.put("keystore=" + store + ",alias=echo,storepass-env=NOT_SET", "storepass-env names NOT_SET, which is not set");
        cases.put("keystore=" + store + ",alias=echo,storepass=secret,storetype=NOPE", "as storetype NOPE");
        cases.put("keystore=" + store + ",alias=echo,storepass=secret,alias=echo", "gives alias twice");
        cases.put("keystore=" + store + ",alias=echo,storepass=secret,", "must be KEY=VALUE");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Fixtures.Result r = pack(out, c.getKey());
            assertEquals(2, r.status(), c.getKey() + ": " + r);
            assertTrue(r.err().contains(c.getValue()), c.getKey() + ": " + r);
            assertTrue(Files.notExists(out), c.getKey());
        }
    }

    @Test
    void theWrongKeypassIsNamed() throws Exception {
        Path store = keystore("keys.jks", "echo", "-storetype", "JKS", "-storepass", "storesecret",
                "-keypass", "keysecret", "-keyalg", "RSA", "-keysize", "2048");
        Fixtures.Result r = pack(dir.resolve("echo.jar"), "keystore=" + store + ",alias=echo,storepass=storesecret,keypass=nope");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("keypass is wrong for alias 'echo'"), r::toString);
    }
}
