package dev.outpost.runtime.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the spawner's child does to itself before it executes a plugin: the {@code struct
 * confine_spec} of {@code confine.h} (built here byte for byte, in native order; the spawner hands
 * it to {@code confine_apply()}), and whether the plugin is the init of a pid namespace of its own.
 * A plain value: it owns nothing; {@link #encode()} checks it against the limits of the C struct.
 *
 * @param uid the uid the plugin runs as; 0: keep the spawner's
 * @param gid its gid; 0: keep
 * @param pidNamespace a new pid namespace, the plugin its init: every descendant dies with it
 * @param landlock enforce {@code paths} (nothing else of the filesystem is reachable)
 * @param scope Landlock scoping: no signals to, and no abstract sockets of, processes outside
 * @param seccomp the system call profile
 * @param network what TCP (Landlock) and which sockets (seccomp) the plugin may use
 * @param limits resource limits, soft and hard, by kind
 * @param oomScoreAdj written to {@code /proc/self/oom_score_adj}; null: left alone
 * @param paths the filesystem rules and the cgroups to join
 * @param require protections whose absence on this kernel fails the spawn (see {@link Missing})
 */
public record Confinement(int uid, int gid, boolean pidNamespace, boolean landlock, boolean scope, Seccomp seccomp,
                          Network network, Map<Limit, Long> limits, Integer oomScoreAdj, List<PathRule> paths,
                          int require) {
    /** {@code sizeof(struct confine_spec)}: the layout of confine.h. */
    public static final int SIZE = 4384;
    private static final int MAGIC = 0x31464e43; // "CNF1"
    private static final int MAX_PATHS = 48, STRINGS = 4096, PATHS_AT = 96, STRINGS_AT = 288;
    private static final int FLAG_LANDLOCK_FS = 0x1, FLAG_LANDLOCK_SCOPE = 0x2, FLAG_OOM_SCORE_ADJ = 0x4;

    /** {@code enum confine_seccomp} */
    public enum Seccomp { NONE, DEFAULT, COMPUTE }

    /** {@code enum confine_net} */
    public enum Network { NONE, CONNECT, ANY }

    /** {@code enum confine_limit}, in its order. */
    public enum Limit { ADDRESS_SPACE, DATA, PROCESSES, OPEN_FILES, FILE_SIZE, CORE }

    /** {@code enum confine_path_kind}, numbered as there (1-4). */
    public enum PathKind { READ, WRITE, CGROUP, CWD }

    /** One path of the spec; {@code optional}: skipped if it does not exist. */
    public record PathRule(PathKind kind, String path, boolean optional) {
        public PathRule {
            Objects.requireNonNull(kind, "kind");
            if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a confinement path must be absolute: " + path);
            }
        }
    }

    /** {@code CONFINE_MISSING_*}: protections a kernel (or an unprivileged spawner) may lack. */
    public enum Missing {
        LANDLOCK(0x01, "landlock (no filesystem or network rules)"),
        LANDLOCK_TRUNCATE(0x02, "landlock truncate rules (ABI < 3)"),
        LANDLOCK_NETWORK(0x04, "landlock TCP rules (ABI < 4)"),
        LANDLOCK_IOCTL(0x08, "landlock ioctl rules (ABI < 5)"),
        LANDLOCK_SCOPE(0x10, "landlock scoping of signals and abstract sockets (ABI < 6)"),
        BOUNDING_SET(0x20, "dropping the capability bounding set (the spawner is not privileged)");

        /** Every protection: what {@code require} holds when none may be missing. */
        public static final int ALL = 0x3f;
        /** Landlock ABI versions from which each Landlock protection is there. */
        private static final int TRUNCATE_ABI = 3, NETWORK_ABI = 4, IOCTL_ABI = 5, SCOPE_ABI = 6;

        public final int bit;
        public final String description;

        Missing(int bit, String description) {
            this.bit = bit;
            this.description = description;
        }

        /**
         * The protections a kernel of Landlock ABI {@code landlockAbi} (0: none) and a spawner with
         * ({@code privileged}) or without root cannot give.
         */
        public static int expected(int landlockAbi, boolean privileged) {
            int bits = privileged ? 0 : BOUNDING_SET.bit;
            if (landlockAbi < 1) {
                return bits | LANDLOCK.bit;
            }
            bits |= landlockAbi < TRUNCATE_ABI ? LANDLOCK_TRUNCATE.bit : 0;
            bits |= landlockAbi < NETWORK_ABI ? LANDLOCK_NETWORK.bit : 0;
            bits |= landlockAbi < IOCTL_ABI ? LANDLOCK_IOCTL.bit : 0;
            bits |= landlockAbi < SCOPE_ABI ? LANDLOCK_SCOPE.bit : 0;
            return bits;
        }

        /** The protections named by {@code bits}. */
        public static List<Missing> of(int bits) {
            List<Missing> all = new ArrayList<>();
            for (Missing m : values()) {
                if ((bits & m.bit) != 0) {
                    all.add(m);
                }
            }
            return all;
        }
    }

    public Confinement {
        Objects.requireNonNull(seccomp, "seccomp");
        Objects.requireNonNull(network, "network");
        limits = Map.copyOf(limits.isEmpty() ? Map.of() : new EnumMap<>(limits));
        paths = List.copyOf(paths);
        if (uid != 0 && gid == 0) {
            throw new IllegalArgumentException("a uid needs a gid");
        }
        if (paths.size() > MAX_PATHS) {
            throw new IllegalArgumentException(paths.size() + " confinement paths, at most " + MAX_PATHS);
        }
        if (paths.stream().filter(p -> p.kind() == PathKind.CWD).count() > 1) {
            throw new IllegalArgumentException("at most one working directory");
        }
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
            throw new IllegalArgumentException("oom_score_adj " + oomScoreAdj);
        }
    }

    /** The spec in the layout of {@code struct confine_spec}, native byte order. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        int flags = (landlock ? FLAG_LANDLOCK_FS : 0) | (scope ? FLAG_LANDLOCK_SCOPE : 0)
                | (oomScoreAdj != null ? FLAG_OOM_SCORE_ADJ : 0);
        int limitBits = 0;
        for (Limit l : limits.keySet()) {
            limitBits |= 1 << l.ordinal();
        }
        b.putInt(MAGIC).putInt(SIZE).putInt(uid).putInt(gid).putInt(flags).putInt(require)
                .putInt(seccomp.ordinal()).putInt(network.ordinal()).putInt(limitBits)
                .putInt(oomScoreAdj == null ? 0 : oomScoreAdj).putInt(paths.size());
        int stringsUsedAt = b.position();
        b.putInt(0);
        for (Limit l : Limit.values()) {
            Long v = limits.get(l);
            b.putLong(v == null ? -1L : v); // UINT64_MAX: no limit
        }
        int used = 0;
        for (int i = 0; i < paths.size(); i++) {
            PathRule p = paths.get(i);
            byte[] s = p.path().getBytes(StandardCharsets.UTF_8);
            if (used + s.length + 1 > STRINGS) {
                throw new IllegalArgumentException("the confinement paths take more than " + STRINGS + " bytes");
            }
            b.position(PATHS_AT + 4 * i);
            b.putShort((short) used).put((byte) (p.kind().ordinal() + 1)).put((byte) (p.optional() ? 1 : 0));
            b.position(STRINGS_AT + used);
            b.put(s).put((byte) 0);
            used += s.length + 1;
        }
        b.putInt(stringsUsedAt, used);
        return b.array();
    }
}
