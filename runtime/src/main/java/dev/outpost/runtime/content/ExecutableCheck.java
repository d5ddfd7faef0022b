package dev.outpost.runtime.content;

import dev.outpost.runtime.os.ExecutableImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How a plugin's executable is checked before it runs, by the host's policy {@code outpost.verify}:
 * <ul>
 *   <li>{@code digest} (the default): its bytes, as sealed into the image that a spawn executes,
 *       must have the SHA-256 that its {@code Outpost-Executable} clause names ({@code sha-256=});
 *   <li>{@code signed}: the bundle must be signed ({@code jarsigner}), the executable's entry
 *       covered by the signature, and a signer's chain trusted by the trust store
 *       {@code outpost.verify.truststore} (PKCS12, or {@code outpost.verify.truststore.type};
 *       password {@code outpost.verify.truststore.password}); a digest, if the clause names one,
 *       must match as well;
 *   <li>{@code none}: nothing is checked.
 * </ul>
 * The bytes checked are those of the image: the signed entry's digest is compared with the image's,
 * so nothing is read again between the check and the spawn. Immutable; thread-safe.
 */
public final class ExecutableCheck {
    /** The host's policy. */
    public enum Policy { NONE, DIGEST, SIGNED }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Policy policy;
    private final KeyStore trust; // null unless SIGNED

    private ExecutableCheck(Policy policy, KeyStore trust) {
        this.policy = policy;
        this.trust = trust;
    }

    /** A check that lets everything run (tests that build images by hand). */
    public static final ExecutableCheck NONE = new ExecutableCheck(Policy.NONE, null);

    /**
     * The policy of the framework's properties.
     *
     * @throws IllegalArgumentException naming the property, when a value is not valid or the trust store cannot be read
     */
    public static ExecutableCheck from(Function<String, String> properties) {
        String value = properties.apply("outpost.verify");
        Policy policy;
        try {
            policy = value == null || value.isBlank() ? Policy.DIGEST : Policy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("outpost.verify must be none, digest or signed, not " + value.trim());
        }
        if (policy != Policy.SIGNED) {
            return new ExecutableCheck(policy, null);
        }
        String store = properties.apply("outpost.verify.truststore");
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("outpost.verify=signed needs outpost.verify.truststore: the key store"
                    + " of the certificates whose signatures it trusts");
        }
        String type = properties.apply("outpost.verify.truststore.type");
        String password = properties.apply("outpost.verify.truststore.password");
        try (InputStream in = Files.newInputStream(Path.of(store.trim()))) {
            KeyStore ks = KeyStore.getInstance(type == null || type.isBlank() ? "PKCS12" : type.trim());
            ks.load(in, password == null ? null : password.toCharArray());
            if (ks.size() == 0) {
                throw new IllegalArgumentException("outpost.verify.truststore " + store.trim() + " holds no certificate");
            }
            return new ExecutableCheck(policy, ks);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("outpost.verify.truststore " + store.trim() + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /** The digest a bundle names for an executable of these bytes ({@code sha-256=}): lower-case hex SHA-256. */
    public static String sha256(byte[] executable) {
        return ExecutableImage.sha256(executable);
    }

    public Policy policy() {
        return policy;
    }

    /**
     * Checks the image of the executable at {@code path} of {@code content}.
     *
     * @param declared the {@code sha-256} its clause names, or null
     * @return how it was verified, for the operator ({@code outpost:show})
     * @throws IOException naming the entry and what is wrong, when it must not run
     */
    public String verify(PluginContent content, String path, String declared, ExecutableImage image)
            throws IOException {
        if (policy == Policy.NONE) {
            return "not verified (outpost.verify=none)";
        }
        if (declared != null && !SHA256.matcher(declared).matches()) {
            throw new IOException("executable " + path + ": its sha-256 " + declared
                    + " is not 64 lower-case hex digits");
        }
        if (declared == null && policy == Policy.DIGEST) {
            throw new IOException("executable " + path + " has no sha-256 digest in " + "Outpost-Executable"
                    + " (outpost.verify=digest): package it with its digest, or sign it");
        }
        if (declared != null && !declared.equals(image.sha256())) {
            throw new IOException("executable " + path + " does not match its sha-256 digest: the bundle says "
                    + declared + ", its bytes are " + image.sha256());
        }
        if (policy == Policy.DIGEST) {
            return "sha-256 " + declared.substring(0, 12) + "... checked";
        }
        SignedEntry signed = content.signed(path);
        if (signed.signers().isEmpty()) {
            throw new IOException("executable " + path + " is not signed (outpost.verify=signed)");
        }
        if (!signed.sha256().equals(image.sha256())) {
            throw new IOException("executable " + path + ": the signed bytes are not those loaded to run");
        }
        String untrusted = null;
        for (CertPath chain : signed.signers()) {
            String why = untrustedBecause(chain);
            if (why == null) {
                return "signed by " + subject(chain) + " (trusted)" + (declared == null ? "" : ", sha-256 checked");
            }
            untrusted = subject(chain) + ": " + why;
        }
        throw new IOException("executable " + path + " is signed by no one the trust store trusts (" + untrusted + ")");
    }

    /** Null when the chain leads to an anchor of the trust store, else why not. */
    private String untrustedBecause(CertPath chain) {
        try {
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(chain, params);
            return null;
        } catch (GeneralSecurityException e) {
            return e.getMessage();
        }
    }

    private static String subject(CertPath chain) {
        return chain.getCertificates().isEmpty() ? "an empty chain"
                : ((X509Certificate) chain.getCertificates().get(0)).getSubjectX500Principal().getName();
    }
}
