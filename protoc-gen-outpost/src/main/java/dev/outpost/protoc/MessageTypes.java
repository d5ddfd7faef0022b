package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every message type of a request's files (imported ones too), by full name, with its names. */
final class MessageTypes {
    /**
     * One message type.
     *
     * @param fullName the full name without the leading dot
     * @param javaClass the qualified Java class protoc-gen-java makes
     * @param cType the C struct protoc-c makes ({@code Outpost__Sample__Zlib__CompressRequest})
     * @param cLower the prefix of protoc-c's functions ({@code outpost__sample__zlib__compress_request})
     * @param deprecated whether it, a type it is nested in or its file is deprecated (its Java class
     *     then is, or may be)
     * @param nested whether it is nested in another message (protoc-c then makes no
     *     {@code __unpack}, {@code __pack} or {@code __free_unpacked} for it)
     */
    record Type(String fullName, String javaClass, String cType, String cLower, boolean deprecated, boolean nested) {
        /** C: an expression unpacking {@code len} bytes at {@code data} into a {@code cType *}. */
        String cUnpack(String len, String data) {
            return nested
                    ? "(" + cType + " *)protobuf_c_message_unpack(&" + cLower + "__descriptor, NULL, " + len + ", " + data + ")"
                    : cLower + "__unpack(NULL, " + len + ", " + data + ")";
        }

        /** C: a statement freeing what {@link #cUnpack} returned, {@code message} (a pointer expression). */
        String cFree(String message) {
            return nested
                    ? "protobuf_c_message_free_unpacked(&(" + message + ")->base, NULL)"
                    : cLower + "__free_unpacked(" + message + ", NULL)";
        }
    }

    private final Map<String, Type> types = new HashMap<>();

    MessageTypes(List<FileDescriptorProto> files) {
        for (FileDescriptorProto file : files) {
            String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
            for (DescriptorProto message : file.getMessageTypeList()) {
                add(file, prefix + message.getName(), message, file.getOptions().getDeprecated(), false);
            }
        }
    }

    /** The type of an rpc's input or output type name ({@code .outpost.sample.zlib.CompressRequest}). */
    Type of(String typeName, String what) {
        Type type = types.get(typeName.startsWith(".") ? typeName.substring(1) : typeName);
        if (type == null) {
            throw new GeneratorException(what + ": unknown message type " + typeName);
        }
        return type;
    }

    private void add(FileDescriptorProto file, String fullName, DescriptorProto message, boolean deprecated,
                     boolean nested) {
        boolean dep = deprecated || message.getOptions().getDeprecated();
        types.put(fullName, new Type(fullName, JavaFiles.messageClass(file, fullName), Names.cType(fullName),
                Names.cLower(fullName), dep, nested));
        for (DescriptorProto inner : message.getNestedTypeList()) {
            add(file, fullName + "." + inner.getName(), inner, dep, true);
        }
    }
}
