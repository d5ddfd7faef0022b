package dev.outpost.runtime.os;

import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Pointer;

/** NULL-terminated {@code char *[]} arrays (argv, envp) built in native memory. */
final class CStrings {
    private CStrings() {}

    /**
     * One zeroed block: the pointer table (strings.size() + 1 entries, the last NULL), then each
     * string's UTF-8 bytes and NUL. The block lives as long as the returned pointer is reachable.
     */
    static Pointer array(List<String> strings) {
        int count = strings.size();
        byte[][] encoded = new byte[count][];
        long tableSize = (count + 1L) * Native.RUNTIME.addressSize();
        long total = tableSize;
        for (int i = 0; i < count; i++) {
            encoded[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
            total += encoded[i].length + 1L;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("strings too long: " + total + " bytes");
        }
        Pointer block = Native.allocate((int) total);
        long data = tableSize;
        for (int i = 0; i < count; i++) {
            block.put(data, encoded[i], 0, encoded[i].length); // the NUL is already there
            block.putAddress((long) i * Native.RUNTIME.addressSize(), block.address() + data);
            data += encoded[i].length + 1L;
        }
        return block; // table[count] is NULL: the block is zeroed
    }
}
