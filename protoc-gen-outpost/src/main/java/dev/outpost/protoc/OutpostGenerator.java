package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * protoc-gen-outpost: reads a {@code CodeGeneratorRequest} from stdin and writes a
 * {@code CodeGeneratorResponse} to stdout with, for every service of every file to generate, a
 * Java interface ({@code Zlib.java} in the file's Java package) and for every file with services
 * the C glue ({@code zlib.outpost.h} and {@code zlib.outpost.c} next to the .proto's path). A
 * .proto it refuses is answered in the response's {@code error} field, which protoc prints.
 *
 * <p>Parameters (see {@link Options}) come from {@code --outpost_opt=} and from the arguments.
 * Naming rules: the package documentation and docs/generator.md.
 */
public final class OutpostGenerator {
    private OutpostGenerator() {
    }

    public static void main(String[] args) throws IOException {
        CodeGeneratorRequest request = CodeGeneratorRequest.parseFrom(System.in);
        generate(request, List.of(args)).writeTo(System.out);
        System.out.flush();
    }

    /** The response to a request, with {@code args} as further parameters; never throws for a bad .proto. */
    static CodeGeneratorResponse generate(CodeGeneratorRequest request, List<String> args) {
        try {
            List<String> parameters = new ArrayList<>();
            parameters.add(request.getParameter());
            parameters.addAll(args);
            Options options = Options.parse(parameters);
            CodeGeneratorResponse.Builder response = CodeGeneratorResponse.newBuilder();
            files(request, options).forEach((name, content) ->
                    response.addFile(CodeGeneratorResponse.File.newBuilder().setName(name).setContent(content)));
            return response.build();
        } catch (GeneratorException e) {
            return CodeGeneratorResponse.newBuilder().setError("protoc-gen-outpost: " + e.getMessage()).build();
        }
    }

    /** The generated files by path, in the order of the request's files and their services. */
    private static Map<String, String> files(CodeGeneratorRequest request, Options options) {
        List<FileDescriptorProto> all = request.getProtoFileList();
        Map<String, FileDescriptorProto> byName = new HashMap<>();
        all.forEach(f -> byName.put(f.getName(), f));
        MessageTypes types = new MessageTypes(all);
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, String> origins = new HashMap<>();
        for (String name : request.getFileToGenerateList()) {
            FileDescriptorProto file = byName.get(name);
            if (file == null) {
                throw new GeneratorException(name + ": not among the request's files");
            }
            List<Service> services = Service.of(file, types);
            for (Service service : services) {
                JavaClashes.check(service, all);
                if (options.java()) {
                    add(files, origins, JavaWriter.path(service), JavaWriter.write(service), name + " " + service.protoName());
                }
            }
            List<Service> withRpcs = services.stream().filter(s -> !s.rpcs().isEmpty()).toList();
            if (options.c() && !withRpcs.isEmpty()) {
                CNames.check(name, withRpcs, options.cClient());
                CFile c = new CFile(name, withRpcs, options.cClient());
                add(files, origins, c.base() + ".outpost.h", CHeaderWriter.write(c), name);
                add(files, origins, c.base() + ".outpost.c", CSourceWriter.write(c), name);
            }
        }
        return files;
    }

    private static void add(Map<String, String> files, Map<String, String> origins, String path, String content,
                            String origin) {
        String other = origins.putIfAbsent(path, origin);
        if (other != null) {
            throw new GeneratorException(origin + ": would write " + path + ", as " + other + " does");
        }
        files.put(path, content);
    }
}
