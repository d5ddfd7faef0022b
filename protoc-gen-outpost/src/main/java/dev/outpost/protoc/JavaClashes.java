package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses a service whose generated interface would not compile or would mean something else:
 * a method name that is a keyword, a method of {@code java.lang.Object} or another generated
 * name, an interface that clashes with a class protoc-gen-java makes, or a generated name that
 * hides a package the generated code names.
 */
final class JavaClashes {
    /** Names the generated interface declares whatever its rpcs, with what they are. */
    private static final Map<String, String> FIXED = Map.of(
            "SERVICE", "the constant SERVICE",
            "over", "the static method over",
            "hostService", "the static method hostService",
            "parseAnswer", "a helper of the generated Client",
            "parseRequest", "a helper of the generated Server",
            "unknownMethod", "a helper of the generated Server");
    /** Parameters, fields and locals of the generated code, which hide packages of the same name. */
    private static final Set<String> VARIABLES = Set.of(
            "request", "timeout", "service", "implementation", "method", "payload", "answer", "parser", "e", "T");
    /** Packages the generated code names besides those of the messages. */
    private static final List<String> PACKAGES = List.of("java", "dev", "com");

    private JavaClashes() {
    }

    static void check(Service service, List<FileDescriptorProto> files) {
        String where = service.file() + ": service " + service.protoName();
        if (service.protoName().equals("Client") || service.protoName().equals("Server")) {
            throw new GeneratorException(where + ": its interface cannot be called " + service.protoName()
                    + ", the name of a class nested in it");
        }
        for (FileDescriptorProto file : files) {
            if (JavaFiles.topLevelClasses(file).contains(service.javaInterface())) {
                throw new GeneratorException(where + ": its interface " + service.javaInterface()
                        + " clashes with a class protoc makes for " + file.getName());
            }
        }
        Map<String, String> members = new HashMap<>(FIXED);
        Set<String> scope = new LinkedHashSet<>(VARIABLES);
        scope.add(service.protoName());
        scope.add("Client");
        scope.add("Server");
        scope.addAll(FIXED.keySet());
        for (Service.Rpc rpc : service.rpcs()) {
            String what = "rpc " + service.name(rpc);
            String name = rpc.javaName();
            if (Names.JAVA_RESERVED.contains(name)) {
                throw new GeneratorException(service.file() + ": " + what + ": its Java method name \"" + name
                        + "\" is a Java keyword; rename the rpc");
            }
            if (Names.OBJECT_METHODS.contains(name) || Names.OBJECT_METHODS.contains(name + "Async")) {
                throw new GeneratorException(service.file() + ": " + what + ": its Java method name \"" + name
                        + "\" clashes with a method of java.lang.Object; rename the rpc");
            }
            claim(members, name, "the method " + name + " of " + what, service);
            claim(members, name + "Async", "the method " + name + "Async of " + what, service);
            claim(members, rpc.constant(), "the constant " + rpc.constant() + " of " + what, service);
            scope.add(rpc.constant());
        }
        for (String pkg : packages(service)) {
            String first = pkg.contains(".") ? pkg.substring(0, pkg.indexOf('.')) : pkg;
            if (scope.contains(first)) {
                throw new GeneratorException(where + ": the generated name " + first + " would hide the " + first
                        + " of " + pkg + " in " + service.javaInterface());
            }
        }
    }

    private static void claim(Map<String, String> members, String name, String what, Service service) {
        String other = members.putIfAbsent(name, what);
        if (other != null) {
            throw new GeneratorException(service.file() + ": service " + service.protoName() + ": " + what
                    + " clashes with " + other + "; rename the rpc");
        }
    }

    private static Set<String> packages(Service service) {
        Set<String> packages = new LinkedHashSet<>(PACKAGES);
        for (Service.Rpc rpc : service.rpcs()) {
            for (MessageTypes.Type type : List.of(rpc.request(), rpc.response())) {
                packages.add(type.javaClass());
            }
        }
        return packages;
    }
}
