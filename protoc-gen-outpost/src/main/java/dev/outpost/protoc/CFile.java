package dev.outpost.protoc;

import java.util.List;

/**
 * What the C glue of one .proto file is written from, by {@link CHeaderWriter} and
 * {@link CSourceWriter}.
 *
 * @param proto the .proto file's name, as protoc gives it
 * @param services its services that have rpcs
 * @param client whether the client stubs are written ({@code c_client})
 */
record CFile(String proto, List<Service> services, boolean client) {
    /** The name without {@code .proto}, as protoc-c names its files: {@code outpost/sample/zlib}. */
    String base() {
        return CNames.base(proto);
    }

    /** {@link #base} without its folders: {@code zlib}. */
    String baseName() {
        String base = base();
        return base.substring(base.lastIndexOf('/') + 1);
    }
}
