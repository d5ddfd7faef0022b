/**
 * The wire protocol in bytes: framing (a varint length, then a {@code Frame}), encoding and
 * decoding frames, the judging of a Hello, and the mapping of the wire's codes and levels. Pure:
 * no I/O, no threads.
 *
 * <p>Uses nothing else of the runtime: only the protocol's generated classes and protobuf.
 */
package dev.outpost.runtime.wire;
