package dev.outpost.protoc;

import java.util.List;

/**
 * Writes the two classes nested in a service's interface: {@code Client} (calls over a
 * {@code PluginService}) and {@code Server} (an implementation as a {@code HostService}).
 */
final class JavaClientServer {
    private static final String API = "dev.outpost.api.";
    private static final String FUTURE = "java.util.concurrent.CompletableFuture";
    private static final String DURATION = "java.time.Duration";
    private static final String PROTOBUF = "com.google.protobuf.";

    private final Service service;
    private final Source out;

    JavaClientServer(Service service, Source out) {
        this.service = service;
        this.out = out;
    }

    void write() {
        client();
        server();
    }

    private void client() {
        String name = service.protoName();
        out.line("");
        out.block("/**", " * ", List.of(
                "Calls over a {@link " + API + "PluginService}: a message is sent as its bytes, the answer parsed;",
                "an answer that does not parse fails with {@link " + API + "ErrorCode#INVALID_ARGUMENT}."), " */");
        out.open("final class Client implements " + name + " {");
        out.line("private final " + API + "PluginService service;");
        out.line("");
        out.open("private Client(" + API + "PluginService service) {");
        out.line("this.service = java.util.Objects.requireNonNull(service, \"service\");");
        out.close("}");
        for (Service.Rpc rpc : service.rpcs()) {
            clientMethods(rpc);
        }
        out.line("");
        out.open("private static <T> T parseAnswer(String method, byte[] answer, " + PROTOBUF + "Parser<T> parser) {");
        out.open("try {");
        out.line("return parser.parseFrom(answer);");
        out.middle("} catch (" + PROTOBUF + "InvalidProtocolBufferException e) {");
        out.line("throw new " + API + "PluginException(" + API + "ErrorCode.INVALID_ARGUMENT,");
        out.line("        \"answer of \" + SERVICE + \"/\" + method + \" does not parse: \" + e.getMessage(), e);");
        out.close("}");
        out.close("}");
        out.line("");
        out.line("@Override");
        out.open("public String toString() {");
        out.line("return \"" + name + " over service \" + service.serviceName() + \" of plugin \" + service.pluginName();");
        out.close("}");
        out.close("}");
    }

    private void clientMethods(Service.Rpc rpc) {
        String in = rpc.request().javaClass();
        String res = rpc.response().javaClass();
        String m = rpc.javaName();
        String c = rpc.constant();
        String future = FUTURE + "<" + res + ">";
        override(rpc, "public " + res + " " + m + "(" + in + " request) {");
        out.line("return " + m + "(request, null);");
        out.close("}");
        override(rpc, "public " + res + " " + m + "(" + in + " request, " + DURATION + " timeout) {");
        out.line("return parseAnswer(" + c + ", service.call(" + c + ", request.toByteArray(), timeout), "
                + res + ".parser());");
        out.close("}");
        override(rpc, "public " + future + " " + m + "Async(" + in + " request) {");
        out.line("return " + m + "Async(request, null);");
        out.close("}");
        override(rpc, "public " + future + " " + m + "Async(" + in + " request, " + DURATION + " timeout) {");
        out.line("return service.callAsync(" + c + ", request.toByteArray(), timeout)");
        out.line("        .thenApply(answer -> parseAnswer(" + c + ", answer, " + res + ".parser()));");
        out.close("}");
    }

    private void override(Service.Rpc rpc, String signature) {
        out.line("");
        out.line("@Override");
        if (rpc.deprecated()) {
            out.line("@Deprecated");
        }
        out.open(signature);
    }

    private void server() {
        String name = service.protoName();
        out.line("");
        out.block("/**", " * ", List.of(
                "An implementation as a {@link " + API + "HostService}: parses the request, calls the",
                "implementation and answers its message's bytes. A request that does not parse fails with",
                "{@link " + API + "ErrorCode#INVALID_ARGUMENT}, an unknown method with",
                "{@link " + API + "ErrorCode#UNIMPLEMENTED}; {@code callAsync} uses the implementation's",
                "{@code ...Async} methods, so an asynchronous implementation holds no thread."), " */");
        out.open("final class Server implements " + API + "HostService {");
        out.line("private final " + name + " implementation;");
        out.line("");
        out.open("private Server(" + name + " implementation) {");
        out.line("this.implementation = java.util.Objects.requireNonNull(implementation, \"implementation\");");
        out.close("}");
        out.line("");
        out.line("@Override");
        out.open("public byte[] call(String method, byte[] payload) {");
        out.open("switch (method) {");
        for (Service.Rpc rpc : service.rpcs()) {
            out.open("case " + rpc.constant() + ":");
            out.line("return implementation." + rpc.javaName() + "(" + parse(rpc) + ").toByteArray();");
            depthBack();
        }
        out.open("default:");
        out.line("throw unknownMethod(method);");
        depthBack();
        out.close("}");
        out.close("}");
        out.line("");
        out.line("@Override");
        out.open("public " + FUTURE + "<byte[]> callAsync(String method, byte[] payload) {");
        out.open("try {");
        out.open("switch (method) {");
        for (Service.Rpc rpc : service.rpcs()) {
            out.open("case " + rpc.constant() + ":");
            out.line("return implementation." + rpc.javaName() + "Async(" + parse(rpc) + ")");
            out.line("        .thenApply(" + rpc.response().javaClass() + "::toByteArray);");
            depthBack();
        }
        out.open("default:");
        out.line("throw unknownMethod(method);");
        depthBack();
        out.close("}");
        out.middle("} catch (RuntimeException e) {");
        out.line("return " + FUTURE + ".failedFuture(e);");
        out.close("}");
        out.close("}");
        out.line("");
        out.open("private static <T> T parseRequest(String method, byte[] payload, " + PROTOBUF + "Parser<T> parser) {");
        out.open("try {");
        out.line("return parser.parseFrom(payload);");
        out.middle("} catch (" + PROTOBUF + "InvalidProtocolBufferException e) {");
        out.line("throw new " + API + "PluginException(" + API + "ErrorCode.INVALID_ARGUMENT,");
        out.line("        \"request of \" + SERVICE + \"/\" + method + \" does not parse: \" + e.getMessage(), e);");
        out.close("}");
        out.close("}");
        out.line("");
        out.open("private static " + API + "PluginException unknownMethod(String method) {");
        out.line("return new " + API + "PluginException(" + API + "ErrorCode.UNIMPLEMENTED,");
        out.line("        SERVICE + \" has no method \" + method);");
        out.close("}");
        out.line("");
        out.line("@Override");
        out.open("public String toString() {");
        out.line("return \"" + name + " host service over \" + implementation;");
        out.close("}");
        out.close("}");
    }

    private String parse(Service.Rpc rpc) {
        return "parseRequest(" + rpc.constant() + ", payload, " + rpc.request().javaClass() + ".parser())";
    }

    private void depthBack() {
        out.dedent();
    }
}
