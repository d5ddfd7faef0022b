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
        openClass("Client", name, API + "PluginService", "service");
        for (Service.Rpc rpc : service.rpcs()) {
            clientMethods(rpc);
        }
        parser("parseAnswer", "answer", "answer");
        toStringMethod("\"" + name + " over service \" + service.serviceName() + \" of plugin \" + service.pluginName()");
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
        openClass("Server", API + "HostService", name, "implementation");
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
        parser("parseRequest", "payload", "request");
        out.line("");
        out.open("private static " + API + "PluginException unknownMethod(String method) {");
        out.line("return new " + API + "PluginException(" + API + "ErrorCode.UNIMPLEMENTED,");
        out.line("        SERVICE + \" has no method \" + method);");
        out.close("}");
        toStringMethod("\"" + name + " host service over \" + implementation");
        out.close("}");
    }

    /** Opens {@code final class name implements implemented} with one field, set by its private constructor. */
    private void openClass(String name, String implemented, String type, String field) {
        out.open("final class " + name + " implements " + implemented + " {");
        out.line("private final " + type + " " + field + ";");
        out.line("");
        out.open("private " + name + "(" + type + " " + field + ") {");
        out.line("this." + field + " = java.util.Objects.requireNonNull(" + field + ", \"" + field + "\");");
        out.close("}");
    }

    /**
     * The static {@code name(String method, byte[] bytes, Parser<T> parser)} of Client or Server:
     * parses {@code bytes} or fails with INVALID_ARGUMENT, saying that the {@code what} does not parse.
     */
    private void parser(String name, String bytes, String what) {
        out.line("");
        out.open("private static <T> T " + name + "(String method, byte[] " + bytes + ", " + PROTOBUF + "Parser<T> parser) {");
        out.open("try {");
        out.line("return parser.parseFrom(" + bytes + ");");
        out.middle("} catch (" + PROTOBUF + "InvalidProtocolBufferException e) {");
        out.line("throw new " + API + "PluginException(" + API + "ErrorCode.INVALID_ARGUMENT,");
        out.line("        \"" + what + " of \" + SERVICE + \"/\" + method + \" does not parse: \" + e.getMessage(), e);");
        out.close("}");
        out.close("}");
    }

    /** {@code toString()} returning the Java expression {@code value}. */
    private void toStringMethod(String value) {
        out.line("");
        out.line("@Override");
        out.open("public String toString() {");
        out.line("return " + value + ";");
        out.close("}");
    }

    private String parse(Service.Rpc rpc) {
        return "parseRequest(" + rpc.constant() + ", payload, " + rpc.request().javaClass() + ".parser())";
    }

    private void depthBack() {
        out.dedent();
    }
}
