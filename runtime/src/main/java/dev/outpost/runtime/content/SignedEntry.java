package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.CodeSigner;
import java.security.cert.CertPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One entry of a jar as its signature vouches for it: the SHA-256 of the bytes that were checked
 * against the signed manifest, and the certificate chains of whoever signed them (none for an
 * unsigned jar). The JDK's jar verifier does the checking ({@link JarInputStream} with verification
 * on), as {@code jarsigner -verify} does.
 *
 * @param sha256 lower-case hex of the entry's bytes
 * @param signers the signers' chains, leaf first; empty when the entry is not signed
 */
public record SignedEntry(String sha256, List<CertPath> signers) {

    /**
     * Reads {@code path} out of a whole jar.
     *
     * @throws IOException when the entry is missing, or its bytes do not match what was signed
     */
    static SignedEntry of(byte[] jar, String path) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar), true)) {
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                if (e.getName().equals(path)) {
                    byte[] bytes = in.readAllBytes(); // verified as it is read: a mismatch throws
                    return new SignedEntry(ExecutableImage.sha256(bytes), chains(e.getCodeSigners()));
                }
            }
        } catch (SecurityException e) {
            throw new IOException("the signature does not cover " + path + " as it is: " + e.getMessage(), e);
        }
        throw new IOException("executable " + path + " is missing from the bundle");
    }

    /**
     * The same for an installed bundle, from its entries: the manifest and signature files of
     * {@code META-INF/} ({@code metaInf}: name to bytes) and the entry, put into a jar of their own in
     * the order a verifier reads them. The verifier's result depends on those bytes only.
     */
    static SignedEntry of(Map<String, byte[]> metaInf, String path, byte[] entry) throws IOException {
        ByteArrayOutputStream jar = new ByteArrayOutputStream(entry.length + 16 * 1024);
        try (ZipOutputStream out = new ZipOutputStream(jar)) {
            byte[] manifest = metaInf.get("META-INF/MANIFEST.MF");
            if (manifest != null) {
                put(out, "META-INF/MANIFEST.MF", manifest);
            }
            for (Map.Entry<String, byte[]> e : metaInf.entrySet()) {
                if (!e.getKey().equals("META-INF/MANIFEST.MF")) {
                    put(out, e.getKey(), e.getValue());
                }
            }
            put(out, path, entry);
        }
        return of(jar.toByteArray(), path);
    }

    /** Whether a {@code META-INF/} entry takes part in signing: the manifest, signature files and blocks. */
    static boolean isSignatureFile(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF") || (upper.startsWith("META-INF/") && upper.indexOf('/', 9) < 0
                && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")));
    }

    private static void put(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static List<CertPath> chains(CodeSigner[] signers) {
        List<CertPath> chains = new ArrayList<>();
        if (signers != null) {
            for (CodeSigner s : signers) {
                chains.add(s.getSignerCertPath());
            }
        }
        return List.copyOf(chains);
    }
}
