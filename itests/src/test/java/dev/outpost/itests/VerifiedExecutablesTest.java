package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.runtime.content.ExecutableCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The executable that runs is the one that was packaged: its bytes, sealed into the image a spawn
 * executes, must match the digest its bundle names (outpost.verify=digest, the default) or be
 * covered by a trusted signature (signed); anything else fails to start, naming the entry and why,
 * and never runs.
 */
class VerifiedExecutablesTest {
    private static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");
    private static final String EXECUTABLE = "bin/linux-x86_64/fixture; osname=Linux; processor=x86-64";

    @TempDir
    Path dir;
    TestRuntime runtime;

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
    }

    private TestRuntime start(Map<String, String> properties) throws Exception {
        Map<String, String> props = new java.util.HashMap<>(properties);
        props.put("outpost.restart.policy", "never");
        runtime = TestRuntime.start(dir, props);
        return runtime;
    }

    private static byte[] fixture() throws IOException {
        return Files.readAllBytes(TestBundles.FIXTURE);
    }

    private Path bundle(String name, String executableHeader, byte[] executable) throws IOException {
        return TestBundles.bundleAsIs(dir, name, Map.of("Outpost-Executable", executableHeader, "Outpost-Name", name,
                "Outpost-Arguments", "ok"), Map.of(TestBundles.FIXTURE_ENTRY, executable));
    }

    private String failureOf(Path jar) throws Exception {
        Bundle b = runtime.installAndStart(jar);
        PluginInfo info = runtime.awaitState(b, PluginState.FAILED);
        assertEquals(0, info.pid(), "nothing was spawned");
        return info.failure().orElseThrow();
    }

    @Test
    void anExecutableChangedAfterPackagingNeverRuns() throws Exception {
        start(Map.of());
        byte[] original = fixture();
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 1; // one byte
        String failure = failureOf(bundle("fx-tampered", EXECUTABLE + "; sha-256=" + ExecutableCheck.sha256(original),
                tampered));
        assertTrue(failure.contains("executable " + TestBundles.FIXTURE_ENTRY + " does not match its sha-256 digest"),
                failure);
    }

    @Test
    void anExecutableWithoutADigestIsRefusedUnlessTheHostSaysNone() throws Exception {
        start(Map.of());
        String failure = failureOf(bundle("fx-nodigest", EXECUTABLE, fixture()));
        assertTrue(failure.contains("has no sha-256 digest"), failure);
        runtime.close();
        runtime = null;
        start(Map.of("outpost.verify", "none"));
        Bundle b = runtime.installAndStart(bundle("fx-none", EXECUTABLE, fixture()));
        runtime.awaitService(b, "fixture");
        assertEquals("not verified (outpost.verify=none)", runtime.info(b).verification().orElseThrow());
    }

    @Test
    void aDigestThatMatchesRunsAndSaysSo() throws Exception {
        start(Map.of());
        Bundle b = runtime.installAndStart(TestBundles.fixture(dir, "fx-ok", "ok"));
        runtime.awaitService(b, "fixture");
        String digest = ExecutableCheck.sha256(fixture());
        assertEquals("sha-256 " + digest.substring(0, 12) + "... checked", runtime.info(b).verification().orElseThrow());
    }

    @Test
    void underSignedOnlyABundleSignedByATrustedKeyRuns() throws Exception {
        Path trusted = keyStore("trusted", "CN=Outpost Test Signer");
        Path stranger = keyStore("stranger", "CN=Someone Else");
        Path trust = dir.resolve("trust.p12");
        Path cert = dir.resolve("trusted.cer");
        tool("keytool", "-exportcert", "-keystore", trusted.toString(), "-storepass", "secret", "-alias", "trusted",
                "-file", cert.toString());
        tool("keytool", "-importcert", "-noprompt", "-keystore", trust.toString(), "-storetype", "PKCS12",
                "-storepass", "secret", "-alias", "trusted", "-file", cert.toString());
        start(Map.of("outpost.verify", "signed", "outpost.verify.truststore", trust.toString(),
                "outpost.verify.truststore.password", "secret"));

        Path good = sign(TestBundles.fixture(dir, "fx-signed", "ok"), trusted, "trusted");
        Bundle b = runtime.installAndStart(good);
        runtime.awaitService(b, "fixture");
        String how = runtime.info(b).verification().orElseThrow();
        assertTrue(how.startsWith("signed by CN=Outpost Test Signer (trusted)"), how);

        assertTrue(failureOf(TestBundles.fixture(dir, "fx-unsigned", "ok")).contains("is not signed"));
        String untrusted = failureOf(sign(TestBundles.fixture(dir, "fx-stranger", "ok"), stranger, "stranger"));
        assertTrue(untrusted.contains("signed by no one the trust store trusts (CN=Someone Else"), untrusted);
        // changed after signing: without a digest the signature catches it, with one the digest does first
        String tampered = failureOf(tamperAfterSigning(sign(bundle("fx-resigned", EXECUTABLE, fixture()), trusted,
                "trusted")));
        assertTrue(tampered.contains("the signature does not cover " + TestBundles.FIXTURE_ENTRY), tampered);
        String both = failureOf(tamperAfterSigning(sign(TestBundles.fixture(dir, "fx-both", "ok"), trusted, "trusted")));
        assertTrue(both.contains("does not match its sha-256 digest"), both);
    }

    private Path keyStore(String alias, String dname) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        tool("keytool", "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "secret");
        return ks;
    }

    private Path sign(Path jar, Path keyStore, String alias) throws Exception {
        Path signed = dir.resolve("signed-" + jar.getFileName());
        tool("jarsigner", "-keystore", keyStore.toString(), "-storepass", "secret", "-signedjar", signed.toString(),
                jar.toString(), alias);
        return signed;
    }

    /** The same jar, signature files included, with one byte of the executable changed. */
    private Path tamperAfterSigning(Path signed) throws IOException {
        Path out = dir.resolve("tampered-" + signed.getFileName());
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(signed));
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals(TestBundles.FIXTURE_ENTRY)) {
                    bytes[bytes.length / 2] ^= 1;
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out;
    }

    /** Runs a JDK tool and waits for it (it is this test's child; it must be gone before the test ends). */
    private static void tool(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JDK_BIN.resolve(name).toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), name + " did not finish");
        assertEquals(0, p.exitValue(), name + " " + String.join(" ", args) + ": " + output);
    }
}
