package dev.outpost.protoc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The C names of a file's generated code, all prefixed by their service's wire name, checked to
 * be distinct and usable: {@code zlib_service} (with its member {@code user} beside one per rpc),
 * {@code zlib_service_register}, and per rpc {@code zlib_compress_handler},
 * {@code zlib_compress_call} and the static {@code zlib_compress_glue}.
 */
final class CNames {
    /** File-scope names of the generated .c that belong to no service. */
    static final List<String> HELPERS = List.of("pack_answer", "call_host", "answer_unparsed");
    /** The member of a service struct that is no rpc's handler: the handlers' user pointer. */
    static final String USER = "user";

    private CNames() {
    }

    static String serviceType(Service s) {
        return s.wire() + "_service";
    }

    static String register(Service s) {
        return s.wire() + "_service_register";
    }

    static String handler(Service s, Service.Rpc rpc) {
        return s.wire() + "_" + rpc.wire() + "_handler";
    }

    static String call(Service s, Service.Rpc rpc) {
        return s.wire() + "_" + rpc.wire() + "_call";
    }

    static String glue(Service s, Service.Rpc rpc) {
        return s.wire() + "_" + rpc.wire() + "_glue";
    }

    /** The C file's base path: the .proto's path without {@code .proto} ({@code dir/zlib}). */
    static String base(String protoFile) {
        return protoFile.endsWith(".proto") ? protoFile.substring(0, protoFile.length() - ".proto".length()) : protoFile;
    }

    /** Refuses rpc wire names that are C keywords or {@code user}, and names that two things of the file share. */
    static void check(String file, List<Service> services, boolean client) {
        Map<String, String> names = new HashMap<>();
        HELPERS.forEach(h -> names.put(h, "a helper of the generated " + base(file) + ".outpost.c"));
        for (Service s : services) {
            String what = "service " + s.protoName();
            claim(names, serviceType(s), what, file);
            claim(names, register(s), what, file);
            for (Service.Rpc rpc : s.rpcs()) {
                String rpcWhat = "rpc " + s.name(rpc);
                if (Names.C_RESERVED.contains(rpc.wire())) {
                    throw new GeneratorException(file + ": " + rpcWhat + ": its wire name \"" + rpc.wire()
                            + "\" is a C keyword and cannot name the member of " + serviceType(s) + "; rename the rpc");
                }
                if (rpc.wire().equals(USER)) {
                    throw new GeneratorException(file + ": " + rpcWhat + ": its wire name \"" + USER + "\" is the member "
                            + serviceType(s) + "." + USER + ", the handlers' user pointer; rename the rpc");
                }
                claim(names, handler(s, rpc), rpcWhat, file);
                claim(names, glue(s, rpc), rpcWhat, file);
                if (client) {
                    claim(names, call(s, rpc), rpcWhat, file);
                }
            }
        }
    }

    private static void claim(Map<String, String> names, String name, String what, String file) {
        String other = names.putIfAbsent(name, what);
        if (other != null) {
            throw new GeneratorException(file + ": the C name " + name + " of " + what + " is also one of " + other
                    + "; rename one of them");
        }
    }
}
