package dev.outpost.packager;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipFile;
import jdk.security.jarsigner.JarSigner;

/**
 * {@code --sign keystore=PATH,alias=A,storepass=P[,keypass=K][,storetype=T]}: the key a jar is
 * signed with, and the signing itself, as {@code jarsigner} does it (a {@code META-INF/<NAME>.SF}
 * with a SHA-256 digest per entry and a {@code .RSA}/{@code .EC}/{@code .DSA} signature block),
 * through {@link JarSigner}. {@code storepass-env=VAR} and {@code keypass-env=VAR} read a password
 * from the environment instead, for passwords that must not show in a process list or that contain
 * a comma.
 */
final class Signing {
    private static final List<String> KEYS = List.of("keystore", "alias", "storepass", "storepass-env", "keypass",
            "keypass-env", "storetype");

    private final PrivateKey key;
    private final CertPath certificates;
    private final String alias;

    private Signing(PrivateKey key, CertPath certificates, String alias) {
        this.key = key;
        this.certificates = certificates;
        this.alias = alias;
    }

    /** Parses the option's value and loads the key; {@code env} looks up environment variables. */
    static Signing load(String spec, Function<String, String> env) throws PackagingException {
        Map<String, String> options = parse(spec);
        String keystore = required(options, "keystore");
        String alias = required(options, "alias");
        char[] storepass = password(options, "storepass", env, null);
        char[] keypass = password(options, "keypass", env, storepass);
        Path path = Path.of(keystore);
        if (!Files.isRegularFile(path)) {
            throw new PackagingException("--sign: no keystore file " + path.toAbsolutePath());
        }
        KeyStore store;
        try {
            String type = options.get("storetype");
            if (type == null) {
                store = KeyStore.getInstance(path.toFile(), storepass);
            } else {
                store = KeyStore.getInstance(type);
                try (var in = Files.newInputStream(path)) {
                    store.load(in, storepass);
                }
            }
        } catch (KeyStoreException e) {
            throw new PackagingException("--sign: cannot open keystore " + path + (options.containsKey("storetype")
                    ? " as storetype " + options.get("storetype") : "") + ": " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new PackagingException("--sign: storepass is wrong for keystore " + path, e);
            }
            throw new PackagingException("--sign: cannot read keystore " + path + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new PackagingException("--sign: cannot read keystore " + path + ": " + e, e);
        }
        try {
            if (!store.containsAlias(alias)) {
                throw new PackagingException("--sign: keystore " + path + " has no alias '" + alias + "' (it has: "
                        + String.join(", ", Collections.list(store.aliases())) + ")");
            }
            if (!store.isKeyEntry(alias)) {
                throw new PackagingException("--sign: alias '" + alias + "' in " + path + " is a certificate without a private key");
            }
            PrivateKey key = (PrivateKey) store.getKey(alias, keypass);
            Certificate[] chain = store.getCertificateChain(alias);
            CertPath certificates = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain));
            return new Signing(key, certificates, alias);
        } catch (UnrecoverableKeyException e) {
            throw new PackagingException("--sign: " + (options.containsKey("keypass") || options.containsKey("keypass-env")
                    ? "keypass" : "the key's password (storepass, as no keypass is given)")
                    + " is wrong for alias '" + alias + "' in " + path, e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PackagingException("--sign: cannot use the key '" + alias + "' in " + path + ": " + e, e);
        }
    }

    /** Signs {@code unsigned} into {@code signed}: SHA-256 digests, signature algorithm after the key. */
    void sign(Path unsigned, Path signed) throws PackagingException, IOException {
        JarSigner signer;
        try {
            signer = new JarSigner.Builder(key, certificates)
                    .digestAlgorithm("SHA-256")
                    .signerName(signerName(alias))
                    .build();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (ZipFile in = new ZipFile(unsigned.toFile()); OutputStream out = Files.newOutputStream(signed)) {
            signer.sign(in, out);
        } catch (jdk.security.jarsigner.JarSignerException e) {
            throw new PackagingException("--sign: signing with '" + alias + "' failed: " + e.getMessage(), e);
        }
    }

    /** The signer's certificate, e.g. {@code CN=Example}. */
    String subject() {
        return ((X509Certificate) certificates.getCertificates().get(0)).getSubjectX500Principal().getName();
    }

    String alias() {
        return alias;
    }

    /** As jarsigner names the .SF file by default: the alias, upper case, at most 8 of [A-Z0-9_-]. */
    static String signerName(String alias) {
        StringBuilder s = new StringBuilder();
        for (char c : alias.toUpperCase(Locale.ENGLISH).toCharArray()) {
            if (s.length() == 8) {
                break;
            }
            s.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_');
        }
        return s.length() == 0 ? "SIGNER" : s.toString();
    }

    private static Map<String, String> parse(String spec) throws PackagingException {
        Map<String, String> options = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new PackagingException("--sign: '" + part + "' must be KEY=VALUE (keys: " + String.join(", ", KEYS) + ")");
            }
            String key = part.substring(0, eq).trim();
            if (!KEYS.contains(key)) {
                throw new PackagingException("--sign: unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (options.put(key, part.substring(eq + 1)) != null) {
                throw new PackagingException("--sign gives " + key + " twice");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String key) throws PackagingException {
        String value = options.get(key);
        if (value == null || value.isEmpty()) {
            throw new PackagingException("--sign needs " + key + "=...");
        }
        return value;
    }

    private static char[] password(Map<String, String> options, String key, Function<String, String> env,
                                   char[] fallback) throws PackagingException {
        String literal = options.get(key), variable = options.get(key + "-env");
        if (literal != null && variable != null) {
            throw new PackagingException("--sign: give " + key + " or " + key + "-env, not both");
        }
        if (variable != null) {
            String value = env.apply(variable);
            if (value == null) {
                throw new PackagingException("--sign: " + key + "-env names " + variable + ", which is not set");
            }
            return value.toCharArray();
        }
        if (literal != null) {
            return literal.toCharArray();
        }
        if (fallback == null) {
            throw new PackagingException("--sign needs storepass=... or storepass-env=VARIABLE");
        }
        return fallback;
    }
}
