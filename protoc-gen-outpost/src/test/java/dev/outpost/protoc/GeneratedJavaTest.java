package dev.outpost.protoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.HostService;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.protoc.test.multi.GetRequest;
import dev.outpost.protoc.test.multi.GetResponse;
import java.io.File;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated Java compiles without a warning and behaves: KeyValue of multi.proto, over fakes. */
class GeneratedJavaTest {
    /** Field 1, length 5, then nothing: no message parses from it. */
    private static final byte[] GARBAGE = {0x0a, 0x05};
    private static Class<?> keyValue;

    @BeforeAll
    static void compile() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (String proto : List.of("test/multi.proto", "test/outer.proto", "test/snake_file_name.proto")) {
            files.putAll(Fixtures.generate("c=false", proto));
        }
        Path dir = Fixtures.freshDir("java");
        Path classes = Fixtures.freshDir("java-classes");
        List<Path> sources = Fixtures.write(dir, files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
            List<String> options = List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", classPath,
                    "-d", classes.toString());
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(sources))
                    .call();
            List<String> messages = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                messages.add(d.getKind() + " " + d.getSource() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
            }
            assertTrue(ok && messages.isEmpty(), "javac: " + String.join("\n", messages));
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                GeneratedJavaTest.class.getClassLoader());
        keyValue = loader.loadClass("dev.outpost.protoc.test.multi.KeyValue");
        assertTrue(new File(classes.toFile(), "test/outer/Thing.class").exists());
    }

    @Test
    void theClientRoundTripsAMessage() throws Exception {
        List<String> methods = new ArrayList<>();
        Object client = over((method, payload) -> {
            methods.add(method);
            try {
                String key = GetRequest.parseFrom(payload).getKey();
                return CompletableFuture.completedFuture(
                        GetResponse.newBuilder().setValue(ByteString.copyFromUtf8("value of " + key)).build().toByteArray());
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        GetRequest request = GetRequest.newBuilder().setKey("k").build();
        GetResponse blocking = (GetResponse) invoke(client, "get", request);
        assertEquals("value of k", blocking.getValue().toStringUtf8());
        GetResponse timed = (GetResponse) keyValue.getMethod("get", GetRequest.class, Duration.class)
                .invoke(client, request, Duration.ofSeconds(5));
        assertEquals("value of k", timed.getValue().toStringUtf8());
        CompletableFuture<?> async = (CompletableFuture<?>) invoke(client, "getAsync", request);
        assertEquals("value of k", ((GetResponse) async.get()).getValue().toStringUtf8());
        assertEquals(List.of("get", "get", "get"), methods);
        assertEquals("KeyValue over service key_value of plugin fake", client.toString());
    }

    @Test
    void anAnswerThatDoesNotParseIsInvalidArgument() throws Exception {
        Object client = over((method, payload) -> CompletableFuture.completedFuture(GARBAGE));
        GetRequest request = GetRequest.getDefaultInstance();
        PluginException blocking = assertThrows(PluginException.class, () -> invoke(client, "get", request));
        assertEquals(ErrorCode.INVALID_ARGUMENT, blocking.code());
        assertTrue(blocking.getMessage().startsWith("INVALID_ARGUMENT: answer of key_value/get does not parse: "),
                blocking.getMessage());
        CompletableFuture<?> async = (CompletableFuture<?>) invoke(client, "getAsync", request);
        ExecutionException e = assertThrows(ExecutionException.class, async::get);
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(PluginException.class, e.getCause()).code());
    }

    @Test
    void aPluginExceptionOfTheServiceKeepsItsCode() throws Exception {
        Object client = over((method, payload) ->
                CompletableFuture.failedFuture(new PluginException(ErrorCode.UNAVAILABLE, "gone")));
        PluginException blocking = assertThrows(PluginException.class,
                () -> invoke(client, "get", GetRequest.getDefaultInstance()));
        assertEquals(ErrorCode.UNAVAILABLE, blocking.code());
        CompletableFuture<?> async = (CompletableFuture<?>) invoke(client, "getAsync", GetRequest.getDefaultInstance());
        ExecutionException e = assertThrows(ExecutionException.class, async::get);
        assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(PluginException.class, e.getCause()).code());
    }

    @Test
    void theServerCallsTheImplementation() throws Exception {
        HostService server = hostService();
        byte[] answer = server.call("get", GetRequest.newBuilder().setKey("k").build().toByteArray());
        assertEquals("stored k", GetResponse.parseFrom(answer).getValue().toStringUtf8());
        byte[] async = server.callAsync("get", GetRequest.newBuilder().setKey("a").build().toByteArray()).get();
        assertEquals("stored a", GetResponse.parseFrom(async).getValue().toStringUtf8());
    }

    @Test
    void theServerAnswersUnimplementedForAnUnknownMethod() throws Exception {
        HostService server = hostService();
        PluginException e = assertThrows(PluginException.class, () -> server.call("delete", new byte[0]));
        assertEquals(ErrorCode.UNIMPLEMENTED, e.code());
        assertEquals("UNIMPLEMENTED: key_value has no method delete", e.getMessage());
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> server.callAsync("delete", new byte[0]).get());
        assertEquals(ErrorCode.UNIMPLEMENTED, assertInstanceOf(PluginException.class, async.getCause()).code());
    }

    @Test
    void theServerAnswersInvalidArgumentForAPayloadThatDoesNotParse() throws Exception {
        HostService server = hostService();
        PluginException e = assertThrows(PluginException.class, () -> server.call("get", GARBAGE));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().startsWith("INVALID_ARGUMENT: request of key_value/get does not parse: "));
        ExecutionException async = assertThrows(ExecutionException.class, () -> server.callAsync("get", GARBAGE).get());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertInstanceOf(PluginException.class, async.getCause()).code());
    }

    /** KeyValue.over(a PluginService whose callAsync is {@code call}). */
    private static Object over(BiFunction<String, byte[], CompletableFuture<byte[]>> call) throws Exception {
        PluginService service = new PluginService() {
            @Override
            public String pluginName() {
                return "fake";
            }

            @Override
            public String serviceName() {
                return "key_value";
            }

            @Override
            public Set<String> methods() {
                return Set.of("get", "get_all", "put");
            }

            @Override
            public CompletableFuture<byte[]> callAsync(String method, byte[] payload, Duration timeout) {
                return call.apply(method, payload);
            }
        };
        return keyValue.getMethod("over", PluginService.class).invoke(null, service);
    }

    /** KeyValue.hostService(an implementation whose get answers "stored " + key; defaults as generated). */
    private static HostService hostService() throws Exception {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("get")) {
                String key = ((GetRequest) args[0]).getKey();
                return GetResponse.newBuilder().setValue(ByteString.copyFromUtf8("stored " + key)).build();
            }
            throw new UnsupportedOperationException(method.getName());
        };
        Object implementation = Proxy.newProxyInstance(keyValue.getClassLoader(), new Class<?>[] {keyValue}, handler);
        return (HostService) keyValue.getMethod("hostService", keyValue).invoke(null, implementation);
    }

    /** Calls the interface's one-argument method, unwrapping what it throws. */
    private static Object invoke(Object target, String name, Object argument) throws Exception {
        Method method = keyValue.getMethod(name, argument.getClass());
        try {
            return method.invoke(target, argument);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
