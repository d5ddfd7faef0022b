/**
 * protoc-gen-outpost: typed Java and C code from each {@code service} of a plugin's .proto
 * (docs/generator.md tells how to use it).
 *
 * <p>Naming rules:
 * <ul>
 *   <li>Wire names. A service's wire name is its simple name in lower snake case, an rpc's wire
 *       method name likewise: an underscore goes before a capital that follows a lower-case letter
 *       or a digit, or that ends a run of capitals and starts a word; existing underscores stay
 *       ({@code Zlib} is {@code zlib}, {@code KeyValue} {@code key_value}, {@code GetAll}
 *       {@code get_all}, {@code HTTPGet} {@code http_get}, {@code Crc32} {@code crc32}). A wire
 *       name must start with a letter. Two services of a file, or two rpcs of a service, with the
 *       same wire name are refused, naming both. Streaming rpcs are refused.
 *   <li>Java. The interface is named like the service, in the file's Java package
 *       ({@code java_package}, else the proto package), one file per service whatever
 *       {@code java_multiple_files} says. Message classes follow protoc-gen-java: with
 *       {@code java_multiple_files} {@code pkg.Outer.Inner}, without it
 *       {@code pkg.OuterClass.Outer.Inner} where the outer class is {@code java_outer_classname}
 *       or the file's base name camel-cased, plus {@code OuterClass} when a message, enum or
 *       service of the file has that name; imported files by their own options. A method is the
 *       lower camel case of the wire name ({@code get_all} is {@code getAll}), with
 *       {@code getAllAsync} beside it and the constant {@code GET_ALL} (upper snake case of the
 *       wire name) holding the wire name. There is no escape: a method name that is a Java keyword
 *       or restricted identifier, a method of {@code java.lang.Object} (also with {@code Async}),
 *       or that clashes with another generated name ({@code SERVICE}, {@code over},
 *       {@code hostService}, the helpers {@code parseAnswer}, {@code parseRequest},
 *       {@code unknownMethod}, another rpc's names) is refused, so is a service called
 *       {@code Client} or {@code Server} or one whose interface clashes with a class protoc-gen-java
 *       makes: rename the rpc or service.
 *   <li>C. Every name starts with the service's wire name: {@code zlib_service} (the struct of
 *       the handlers' {@code user} pointer and the handlers, one member per rpc named by its wire
 *       name, which must not be a C keyword nor {@code user}), {@code zlib_service_register}, per
 *       rpc {@code zlib_compress_handler} and {@code zlib_compress_call}. Message types are protoc-c's: each part of the full name
 *       camel-cased and joined by {@code __} for types ({@code Outpost__Sample__Zlib__CompressRequest}),
 *       lower-cased with an underscore before a capital that follows no capital for functions
 *       ({@code outpost__sample__zlib__compress_request__unpack}); protobuf-c's {@code c_package}
 *       option is not supported. The files are {@code zlib.outpost.h} and {@code zlib.outpost.c} next
 *       to the .proto's path; they include {@code "zlib.pb-c.h"} by the same path. Two generated C
 *       names of a file that coincide are refused.
 * </ul>
 */
package dev.outpost.protoc;
