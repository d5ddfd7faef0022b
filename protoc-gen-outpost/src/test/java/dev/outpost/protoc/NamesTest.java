package dev.outpost.protoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void wireNamesAreLowerSnakeCase() {
        assertEquals("zlib", Names.wire("Zlib"));
        assertEquals("key_value", Names.wire("KeyValue"));
        assertEquals("get_all", Names.wire("GetAll"));
        assertEquals("get_all", Names.wire("get_all"));
        assertEquals("get_all", Names.wire("Get_All"));
        assertEquals("http_get", Names.wire("HTTPGet"));
        assertEquals("crc32", Names.wire("Crc32"));
        assertEquals("get2_things", Names.wire("Get2Things"));
        assertEquals("compress", Names.wire("Compress"));
        assertTrue(Names.isValidWire("get_all"));
        assertFalse(Names.isValidWire("_get"));
    }

    @Test
    void javaNamesComeFromTheWireName() {
        assertEquals("getAll", Names.javaMethod("get_all"));
        assertEquals("httpGet", Names.javaMethod("http_get"));
        assertEquals("crc32", Names.javaMethod("crc32"));
        assertEquals("GET_ALL", Names.javaConstant("get_all"));
        assertEquals("SnakeFileName", Names.javaFileClass("snake_file_name"));
        assertEquals("Foo2Bar", Names.javaFileClass("foo2bar"));
    }

    /** Checked against protoc-c 1.4.1's output. */
    @Test
    void cNamesAreProtocCs() {
        assertEquals("Outpost__Sample__Zlib__CompressRequest", Names.cType("outpost.sample.zlib.CompressRequest"));
        assertEquals("outpost__sample__zlib__compress_request", Names.cLower("outpost.sample.zlib.CompressRequest"));
        assertEquals("Foo__BarBaz__V2__XYZ", Names.cType("Foo.barBaz.V2.x__y_Z"));
        assertEquals("foo__bar_baz__v2__x__y__z", Names.cLower("Foo.barBaz.V2.x__y_Z"));
        assertEquals("my_pkg__v1__httprequest", Names.cLower("my_pkg.v1.HTTPRequest"));
        assertEquals("foo__crc32_request", Names.cLower("foo.Crc32Request"));
        assertEquals("my_pkg__v1__outer__inner_thing", Names.cLower("my_pkg.v1.Outer.inner_thing"));
    }
}
