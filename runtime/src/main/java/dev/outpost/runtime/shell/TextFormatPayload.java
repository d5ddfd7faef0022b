package dev.outpost.runtime.shell;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import org.osgi.framework.Bundle;

/**
 * Turns protobuf text format into a payload and back, with the message classes a plugin's bundle
 * carries (for example {@code dev.outpost.sample.zlib.CompressRequest}), for the shell's
 * {@code outpost:call}. Owns nothing.
 */
final class TextFormatPayload {
    private TextFormatPayload() {
    }

    /** The bytes of the message of class {@code type} (loaded by {@code bundle}) written as {@code text}. */
    static byte[] encode(Bundle bundle, String type, String text) throws ReflectiveOperationException,
            TextFormat.ParseException {
        Message.Builder builder = (Message.Builder) messageClass(bundle, type).getMethod("newBuilder").invoke(null);
        TextFormat.merge(text, builder);
        return builder.build().toByteArray();
    }

    /** {@code bytes} parsed as a message of class {@code type}, in text format. */
    static String decode(Bundle bundle, String type, byte[] bytes) throws ReflectiveOperationException {
        Message message = (Message) messageClass(bundle, type).getMethod("parseFrom", byte[].class).invoke(null, (Object) bytes);
        return TextFormat.printer().printToString(message).stripTrailing();
    }

    private static Class<?> messageClass(Bundle bundle, String type) throws ClassNotFoundException {
        Class<?> c = bundle.loadClass(type);
        if (!Message.class.isAssignableFrom(c)) {
            throw new ClassNotFoundException(type + " is not a protobuf message class");
        }
        return c;
    }
}
