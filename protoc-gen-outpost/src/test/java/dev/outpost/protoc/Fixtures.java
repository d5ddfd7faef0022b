package dev.outpost.protoc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test .proto files as protoc hands them to a plugin: the descriptor set the build writes
 * (src/test/proto, with imports and source info), turned into CodeGeneratorRequests.
 */
final class Fixtures {
    static final Path PROTOS = Path.of(System.getProperty("outpost.test.protos", "src/test/proto"));
    static final Path SDK_INCLUDE = Path.of(System.getProperty("outpost.test.sdk.include",
            "../plugin-api/src/main/c/include"));
    /** The SDK as plugin-api's build leaves it: liboutpost.a and include/outpost.h. */
    static final Path SDK_BUILT = Path.of(System.getProperty("outpost.test.sdk.built", "../plugin-api/target/c"));
    static final Path WORK = Path.of(System.getProperty("outpost.test.work", "target/generator-tests"));
    private static final Path DESCRIPTORS = Path.of(System.getProperty("outpost.test.descriptors",
            "target/test-descriptors/test-protos.protobin"));
    private static FileDescriptorSet set;

    private Fixtures() {
    }

    /** The request protoc would send to generate {@code files} with {@code parameter}. */
    static CodeGeneratorRequest request(String parameter, String... files) {
        CodeGeneratorRequest.Builder request = CodeGeneratorRequest.newBuilder().setParameter(parameter);
        for (String file : files) {
            request.addFileToGenerate(file);
        }
        // the set is in dependency order, as protoc's proto_file must be
        return request.addAllProtoFile(descriptors().getFileList()).build();
    }

    /** The generated files of {@code files}, by path; fails if the generator answered an error. */
    static Map<String, String> generate(String parameter, String... files) {
        CodeGeneratorResponse response = OutpostGenerator.generate(request(parameter, files), List.of());
        assertFalse(response.hasError(), () -> "unexpected error: " + response.getError());
        Map<String, String> out = new LinkedHashMap<>();
        response.getFileList().forEach(f -> out.put(f.getName(), f.getContent()));
        return out;
    }

    /** The generator's error for {@code file}; fails if it generated instead. */
    static String error(String file) {
        CodeGeneratorResponse response = OutpostGenerator.generate(request("", file), List.of());
        assertTrue(response.hasError(), () -> "expected an error for " + file + ", got " + response.getFileList());
        assertTrue(response.getFileList().isEmpty(), "no files with an error");
        return response.getError();
    }

    static FileDescriptorProto file(String name) {
        return descriptors().getFileList().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
    }

    /** Writes the files under dir, returning their paths. */
    static List<Path> write(Path dir, Map<String, String> files) {
        try {
            for (Map.Entry<String, String> e : files.entrySet()) {
                Path p = dir.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue());
            }
            return files.keySet().stream().map(dir::resolve).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh directory under target/generator-tests. */
    static Path freshDir(String name) {
        try {
            Path dir = WORK.resolve(name);
            if (Files.exists(dir)) {
                try (var paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized FileDescriptorSet descriptors() {
        if (set == null) {
            try {
                set = FileDescriptorSet.parseFrom(Files.readAllBytes(DESCRIPTORS));
            } catch (IOException e) {
                throw new UncheckedIOException("the build writes " + DESCRIPTORS + " (protobuf:test-compile)", e);
            }
        }
        return set;
    }
}
