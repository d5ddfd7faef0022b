package dev.outpost.runtime.sandbox;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's cgroups are: for each v1 controller, and for the v2 hierarchy, the directory
 * of the cgroup this process is in, from the texts of {@code /proc/self/cgroup} and
 * {@code /proc/self/mountinfo}. A plain value; parsing only, no file is touched.
 *
 * @param v1 by controller name ({@code memory}, {@code pids}, {@code cpu}, ...): the directory of
 *     this process's cgroup in that hierarchy
 * @param v2 this process's directory in the cgroup2 hierarchy, if one is mounted
 */
record CgroupMounts(Map<String, Path> v1, Optional<Path> v2) {
    CgroupMounts {
        v1 = Map.copyOf(v1);
    }

    /**
     * @param cgroupText the text of /proc/self/cgroup ("4:memory:/a/b", "0::/c")
     * @param mountinfoText the text of /proc/self/mountinfo
     */
    static CgroupMounts parse(String cgroupText, String mountinfoText) {
        Map<String, String> ownV1 = new LinkedHashMap<>();
        String ownV2 = null;
        for (String line : cgroupText.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                ownV2 = f[2];
            } else {
                for (String controller : f[1].split(",")) {
                    if (!controller.isEmpty() && !controller.startsWith("name=")) {
                        ownV1.put(controller, f[2]);
                    }
                }
            }
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        for (String line : mountinfoText.split("\n")) {
            // id parent major:minor root mountpoint options... - fstype source superoptions
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] head = line.substring(0, dash).split(" ");
            String[] tail = line.substring(dash + 3).split(" ");
            if (head.length < 5 || tail.length < 3) {
                continue;
            }
            String root = unescape(head[3]);
            Path mountPoint = Path.of(unescape(head[4]));
            if (tail[0].equals("cgroup2") && ownV2 != null && v2 == null) {
                v2 = beneath(mountPoint, root, ownV2).orElse(null);
            } else if (tail[0].equals("cgroup")) {
                for (String option : tail[2].split(",")) {
                    String own = ownV1.get(option);
                    if (own != null && !v1.containsKey(option)) {
                        beneath(mountPoint, root, own).ifPresent(dir -> v1.put(option, dir));
                    }
                }
            }
        }
        return new CgroupMounts(v1, Optional.ofNullable(v2));
    }

    /** The directory of cgroup {@code own} in a hierarchy mounted at {@code mountPoint} from {@code root}. */
    private static Optional<Path> beneath(Path mountPoint, String root, String own) {
        if (root.equals("/")) {
            return Optional.of(join(mountPoint, own));
        }
        if (own.equals(root) || own.startsWith(root + "/")) {
            return Optional.of(join(mountPoint, own.substring(root.length())));
        }
        return Optional.empty(); // this mount shows another part of the hierarchy
    }

    private static Path join(Path mountPoint, String relative) {
        Path p = mountPoint;
        for (String part : relative.split("/")) {
            if (!part.isEmpty()) {
                if (part.equals("..") || part.equals(".")) {
                    return mountPoint;
                }
                p = p.resolve(part);
            }
        }
        return p;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Controllers of v1 that the sandbox uses; each costs a start a migration. */
    static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu");
}
