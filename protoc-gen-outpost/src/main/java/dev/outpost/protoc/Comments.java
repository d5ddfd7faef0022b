package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import java.util.ArrayList;
import java.util.List;

/** The .proto comments of services and rpcs (SourceCodeInfo), as lines of Javadoc or C comment. */
final class Comments {
    /** Field numbers of the descriptor paths: FileDescriptorProto.service, ServiceDescriptorProto.method. */
    private static final int FILE_SERVICE = 6;
    private static final int SERVICE_METHOD = 2;

    private Comments() {
    }

    /** The leading comment of the file's service {@code s}, line by line; empty without one. */
    static List<String> ofService(FileDescriptorProto file, int s) {
        return leading(file, List.of(FILE_SERVICE, s));
    }

    /** The leading comment of rpc {@code m} of service {@code s}. */
    static List<String> ofRpc(FileDescriptorProto file, int s, int m) {
        return leading(file, List.of(FILE_SERVICE, s, SERVICE_METHOD, m));
    }

    /**
     * Lines made safe for a Javadoc comment: HTML-sensitive characters, {@code @} (no tags),
     * backslashes (no unicode escapes) and {@code *}{@code /} become character references.
     */
    static List<String> javadoc(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("@", "&#64;").replace("\\", "&#92;").replace("*/", "*&#47;"));
        }
        return out;
    }

    /** Lines made safe for a C block comment: no comment delimiters, no trigraphs. */
    static List<String> c(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String safe = line;
            while (safe.contains("*/") || safe.contains("/*") || safe.contains("??")) {
                safe = safe.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?");
            }
            out.add(safe);
        }
        return out;
    }

    private static List<String> leading(FileDescriptorProto file, List<Integer> path) {
        for (Location location : file.getSourceCodeInfo().getLocationList()) {
            if (location.getPathList().equals(path) && location.hasLeadingComments()) {
                return lines(location.getLeadingComments());
            }
        }
        return List.of();
    }

    /** Splits a comment into lines without the one space protoc leaves after {@code //}. */
    private static List<String> lines(String comment) {
        List<String> lines = new ArrayList<>();
        for (String line : comment.split("\n", -1)) {
            String l = line.startsWith(" ") ? line.substring(1) : line;
            lines.add(l.stripTrailing());
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        while (!lines.isEmpty() && lines.get(0).isEmpty()) {
            lines.remove(0);
        }
        return lines;
    }
}
