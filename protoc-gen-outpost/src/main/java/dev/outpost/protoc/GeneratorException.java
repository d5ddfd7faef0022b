package dev.outpost.protoc;

/**
 * A .proto the generator refuses, with a message that names the file and the service or rpc.
 * The generator answers it in the response's {@code error} field; protoc prints it and fails.
 */
final class GeneratorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GeneratorException(String message) {
        super(message);
    }
}
