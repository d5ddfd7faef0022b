package dev.outpost.protoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the generator writes for the test .proto files, and what it refuses. */
class GeneratorTest {
    private static final String KV = "dev/outpost/protoc/test/multi/KeyValue.java";
    private static final String ECHO = "dev/outpost/protoc/test/multi/EchoService.java";

    @Test
    void aFileWithTwoServicesGivesAnInterfaceEachAndOneCHeaderAndSource() {
        Map<String, String> files = Fixtures.generate("", "test/multi.proto");
        assertEquals(List.of(KV, ECHO, "test/multi.outpost.h", "test/multi.outpost.c"), List.copyOf(files.keySet()));
        String kv = files.get(KV);
        assertTrue(kv.contains("package dev.outpost.protoc.test.multi;"));
        assertTrue(kv.contains("public interface KeyValue {"));
        assertTrue(kv.contains("String SERVICE = \"key_value\";"));
        assertTrue(kv.contains("String GET_ALL = \"get_all\";"));
        assertTrue(kv.contains("dev.outpost.protoc.test.multi.GetAllResponse getAll("
                + "dev.outpost.protoc.test.multi.GetAllRequest request);"));
        assertTrue(kv.contains("getAllAsync(dev.outpost.protoc.test.multi.GetAllRequest request, java.time.Duration timeout)"));
        assertTrue(kv.contains("static KeyValue over(dev.outpost.api.PluginService service)"));
        assertTrue(kv.contains("static dev.outpost.api.HostService hostService(KeyValue implementation)"));
        assertTrue(files.get(ECHO).contains("String SERVICE = \"echo_service\";"));

        String h = files.get("test/multi.outpost.h");
        assertTrue(h.contains("#include \"test/multi.pb-c.h\""));
        assertTrue(h.contains("typedef struct key_value_service {"));
        assertTrue(h.contains("key_value_get_all_handler get_all;"));
        assertTrue(h.contains("const Test__Multi__GetAllRequest *req, Test__Multi__GetAllResponse *resp);"));
        assertTrue(h.contains("int key_value_service_register(outpost_plugin *plugin, const key_value_service *impl,"
                + " unsigned flags);"));
        assertTrue(h.contains("int echo_service_echo_call(outpost_plugin *plugin, const Test__Common__Ping *req,"));
        String c = files.get("test/multi.outpost.c");
        assertTrue(c.contains("#include \"multi.outpost.h\""));
        assertTrue(c.contains("test__multi__get_all_request__unpack(NULL, len, data)"));
        assertTrue(c.contains("\"key_value/get_all: the request does not parse\""));
        assertTrue(c.contains("outpost_plugin_add_method_flags(plugin, \"key_value\", \"get_all\","));
    }

    @Test
    void theCGlueKeepsNoStateAndRegistersTheCallersStruct() {
        Map<String, String> files = Fixtures.generate("java=false", "test/multi.proto");
        String h = files.get("test/multi.outpost.h");
        assertTrue(h.contains("typedef struct key_value_service {\n    void *user;\n    key_value_get_handler get;\n"), h);
        assertTrue(h.contains("outpost_request_set_error(call, code, fmt, ...)"));
        assertTrue(h.contains("must stay valid and unchanged until\n * outpost_plugin_free(plugin)"), h);
        assertFalse(h.contains("key_value_set_error") || h.contains("echo_service_set_error"), "no per-service setter");
        String c = files.get("test/multi.outpost.c");
        // impl itself is the SDK's user pointer: no copy, no allocation, no file-scope state
        assertTrue(c.contains("const key_value_service *impl = user;"));
        assertTrue(c.contains("int rc = impl->get_all(impl->user, call, req, &resp);"));
        assertTrue(c.contains("key_value_get_all_glue, user, flags);"));
        String register = c.substring(c.indexOf("int key_value_service_register("), c.indexOf("int key_value_get_call("));
        assertFalse(register.contains("alloc"), register);
        assertFalse(c.contains("\nstatic struct") || c.contains("\nstruct "), "no state of the glue's own");
        assertFalse(c.contains("_set_error(call") || c.contains("va_list"));
    }

    @Test
    void importedAndNestedMessagesAreNamedAsProtocNamesThem() {
        Map<String, String> files = Fixtures.generate("", "test/multi.proto");
        String echo = files.get(ECHO);
        // an imported file without multiple files and with an explicit outer class
        assertTrue(echo.contains("dev.outpost.protoc.test.common.CommonMessages.Ping echo("
                + "dev.outpost.protoc.test.common.CommonMessages.Ping request);"));
        // nested, imported and local
        assertTrue(echo.contains("dev.outpost.protoc.test.multi.Outer.Inner echoNested("
                + "dev.outpost.protoc.test.common.CommonMessages.Ping.Nested request);"));
        String h = files.get("test/multi.outpost.h");
        assertTrue(h.contains("const Test__Common__Ping__Nested *req, Test__Multi__Outer__Inner *resp);"));
        // protoc-c makes no __unpack for nested types: the glue uses protobuf-c's generic functions
        String c = files.get("test/multi.outpost.c");
        assertTrue(c.contains("(Test__Common__Ping__Nested *)protobuf_c_message_unpack(&test__common__ping__nested__descriptor,"
                + " NULL, len, data)"), c);
        assertTrue(c.contains("protobuf_c_message_free_unpacked(&(req)->base, NULL);"));
        assertTrue(c.contains("test__common__ping__free_unpacked(req, NULL);"));
    }

    @Test
    void withoutJavaOptionsTheOuterClassIsTheFileNameAndOuterClassOnAClash() {
        String thing = Fixtures.generate("", "test/outer.proto").get("test/outer/Thing.java");
        assertTrue(thing.contains("package test.outer;"));
        assertTrue(thing.contains("test.outer.OuterOuterClass.Outer make(test.outer.OuterOuterClass.Outer.Inner request);"), thing);
    }

    @Test
    void withoutAClashTheOuterClassIsTheCamelCasedFileName() {
        Map<String, String> files = Fixtures.generate("", "test/snake_file_name.proto");
        String snake = files.get("test/snake/Snake.java");
        assertTrue(snake.contains("test.snake.SnakeFileName.Request httpGet(test.snake.SnakeFileName.Request request);"));
        assertTrue(snake.contains("String HTTP_GET = \"http_get\";"));
        assertTrue(files.get("test/snake_file_name.outpost.h").contains("snake_http_get_handler http_get;"));
    }

    @Test
    void javadocComesFromTheProtoCommentsEscaped() {
        Map<String, String> files = Fixtures.generate("", "test/multi.proto");
        String kv = files.get(KV);
        assertTrue(kv.contains(" * A key-value store. Values are &lt;bytes&gt; &amp; keys are strings; see &#64;link and "
                + "&#92;u0041 escapes."), kv);
        assertTrue(kv.contains(" * A comment that ends early *&#47; does not end the Javadoc."));
        assertTrue(kv.contains("     * Gets all values.\n"));
        assertFalse(kv.substring(kv.indexOf("/**") + 3, kv.indexOf("public interface")).contains("*/\n *"),
                "the service comment closes once");
        String echo = files.get(ECHO);
        assertTrue(echo.contains("@deprecated as the .proto says"));
        assertTrue(echo.contains("@SuppressWarnings(\"deprecation\")"));
        String h = files.get("test/multi.outpost.h");
        assertTrue(h.contains(" * A comment that ends early * / does not end the Javadoc."));
        assertTrue(h.contains(" * Gets one value."));
    }

    @Test
    void streamingRpcsAreRefused() {
        assertEquals("protoc-gen-outpost: test/streaming.proto: streaming rpcs are not supported (yet): Feed.Watch",
                Fixtures.error("test/streaming.proto"));
    }

    @Test
    void twoRpcsWithOneWireNameAreRefusedNamingBoth() {
        assertEquals("protoc-gen-outpost: test/clash_wire.proto: rpcs Store.GetAll and Store.Get_All have the same"
                + " wire name \"get_all\"", Fixtures.error("test/clash_wire.proto"));
    }

    @Test
    void twoServicesWithOneWireNameAreRefusedNamingBoth() {
        assertEquals("protoc-gen-outpost: test/clash_services.proto: services KeyValue and Key_Value have the same"
                + " wire name \"key_value\"", Fixtures.error("test/clash_services.proto"));
    }

    @Test
    void aMethodOfObjectIsRefused() {
        assertEquals("protoc-gen-outpost: test/clash_object.proto: rpc Hashing.HashCode: its Java method name"
                + " \"hashCode\" clashes with a method of java.lang.Object; rename the rpc",
                Fixtures.error("test/clash_object.proto"));
    }

    @Test
    void aJavaKeywordIsRefused() {
        assertEquals("protoc-gen-outpost: test/clash_keyword.proto: rpc Factory.New: its Java method name \"new\""
                + " is a Java keyword; rename the rpc", Fixtures.error("test/clash_keyword.proto"));
    }

    @Test
    void aClashWithAnotherGeneratedNameIsRefusedNamingBoth() {
        assertEquals("protoc-gen-outpost: test/clash_async.proto: service Jobs: the method runAsync of rpc"
                + " Jobs.RunAsync clashes with the method runAsync of rpc Jobs.Run; rename the rpc",
                Fixtures.error("test/clash_async.proto"));
    }

    @Test
    void aCKeywordIsRefusedUnlessNoCIsGenerated() {
        assertEquals("protoc-gen-outpost: test/clash_c.proto: rpc Registry.Register: its wire name \"register\" is a C"
                + " keyword and cannot name the member of registry_service; rename the rpc",
                Fixtures.error("test/clash_c.proto"));
        assertEquals(List.of("test/clash/c/Registry.java"),
                List.copyOf(Fixtures.generate("c=false", "test/clash_c.proto").keySet()));
    }

    @Test
    void anRpcNamedLikeTheUserMemberIsRefusedUnlessNoCIsGenerated() {
        assertEquals("protoc-gen-outpost: test/clash_c_user.proto: rpc Accounts.User: its wire name \"user\" is the"
                + " member accounts_service.user, the handlers' user pointer; rename the rpc",
                Fixtures.error("test/clash_c_user.proto"));
        assertEquals(List.of("test/clash/c/user/Accounts.java"),
                List.copyOf(Fixtures.generate("c=false", "test/clash_c_user.proto").keySet()));
    }

    @Test
    void parametersChooseWhatIsGenerated() {
        assertEquals(List.of("test/multi.outpost.h", "test/multi.outpost.c"),
                List.copyOf(Fixtures.generate("java=false", "test/multi.proto").keySet()));
        Map<String, String> noClient = Fixtures.generate("c_client=false,java=false", "test/multi.proto");
        assertFalse(noClient.get("test/multi.outpost.h").contains("_call("));
        assertFalse(noClient.get("test/multi.outpost.c").contains("outpost_call"));
        // command-line arguments count too, after the request's parameter
        CodeGeneratorResponse response = OutpostGenerator.generate(
                Fixtures.request("c_client=false", "test/multi.proto"), List.of("c_client=true", "java=false"));
        assertTrue(response.getFile(0).getContent().contains("key_value_get_call("));
        CodeGeneratorResponse bad = OutpostGenerator.generate(Fixtures.request("cpp=true", "test/multi.proto"), List.of());
        assertEquals("protoc-gen-outpost: unknown parameter cpp=true (known: java, c, c_client)", bad.getError());
    }
}
