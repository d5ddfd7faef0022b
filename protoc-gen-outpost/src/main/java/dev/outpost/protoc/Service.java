package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A proto service as the writers see it: its names on the wire and in Java, and its rpcs.
 *
 * @param file the .proto's name ({@code zlib.proto})
 * @param protoName the service's simple name ({@code Zlib})
 * @param fullName its full name ({@code outpost.sample.zlib.Zlib})
 * @param wire its wire name ({@code zlib})
 * @param javaPackage the Java package of its interface (the file's)
 * @param comment its leading comment, raw lines
 * @param deprecated whether the service or its file is deprecated
 */
record Service(String file, String protoName, String fullName, String wire, String javaPackage,
               List<String> comment, boolean deprecated, List<Rpc> rpcs) {

    /**
     * One rpc.
     *
     * @param protoName the rpc's name ({@code GetAll})
     * @param wire its wire name ({@code get_all})
     * @param javaName the Java method ({@code getAll})
     * @param constant the Java constant holding the wire name ({@code GET_ALL})
     */
    record Rpc(String protoName, String wire, String javaName, String constant, MessageTypes.Type request,
               MessageTypes.Type response, List<String> comment, boolean deprecated) {
    }

    Service {
        comment = List.copyOf(comment);
        rpcs = List.copyOf(rpcs);
    }

    /** The qualified name of the generated interface. */
    String javaInterface() {
        return JavaFiles.qualify(javaPackage, protoName);
    }

    /** {@code Service.Rpc}, as messages name an rpc. */
    String name(Rpc rpc) {
        return protoName + "." + rpc.protoName();
    }

    /**
     * The services of a file, checked: no streaming rpcs, and wire names that are usable and
     * unique among the file's services and each service's rpcs.
     */
    static List<Service> of(FileDescriptorProto file, MessageTypes types) {
        List<Service> services = new ArrayList<>();
        Map<String, String> serviceWires = new HashMap<>();
        for (int s = 0; s < file.getServiceCount(); s++) {
            ServiceDescriptorProto proto = file.getService(s);
            String wire = wireName(file, proto.getName(), "service " + proto.getName());
            String other = serviceWires.putIfAbsent(wire, proto.getName());
            if (other != null) {
                throw new GeneratorException(file.getName() + ": services " + other + " and " + proto.getName()
                        + " have the same wire name \"" + wire + "\"");
            }
            String fullName = file.getPackage().isEmpty() ? proto.getName() : file.getPackage() + "." + proto.getName();
            boolean deprecated = file.getOptions().getDeprecated() || proto.getOptions().getDeprecated();
            services.add(new Service(file.getName(), proto.getName(), fullName, wire, JavaFiles.javaPackage(file),
                    Comments.ofService(file, s), deprecated, rpcs(file, s, types)));
        }
        return services;
    }

    private static List<Rpc> rpcs(FileDescriptorProto file, int s, MessageTypes types) {
        ServiceDescriptorProto service = file.getService(s);
        List<Rpc> rpcs = new ArrayList<>();
        Map<String, String> wires = new HashMap<>();
        for (int m = 0; m < service.getMethodCount(); m++) {
            MethodDescriptorProto method = service.getMethod(m);
            String name = service.getName() + "." + method.getName();
            if (method.getClientStreaming() || method.getServerStreaming()) {
                throw new GeneratorException(file.getName() + ": streaming rpcs are not supported (yet): " + name);
            }
            String wire = wireName(file, method.getName(), "rpc " + name);
            String other = wires.putIfAbsent(wire, method.getName());
            if (other != null) {
                throw new GeneratorException(file.getName() + ": rpcs " + service.getName() + "." + other + " and "
                        + name + " have the same wire name \"" + wire + "\"");
            }
            String what = file.getName() + ": rpc " + name;
            rpcs.add(new Rpc(method.getName(), wire, Names.javaMethod(wire), Names.javaConstant(wire),
                    types.of(method.getInputType(), what), types.of(method.getOutputType(), what),
                    Comments.ofRpc(file, s, m), method.getOptions().getDeprecated()));
        }
        return rpcs;
    }

    private static String wireName(FileDescriptorProto file, String name, String what) {
        String wire = Names.wire(name);
        if (!Names.isValidWire(wire)) {
            throw new GeneratorException(file.getName() + ": " + what + " has no usable wire name (\"" + wire
                    + "\"): it must start with a letter");
        }
        return wire;
    }
}
