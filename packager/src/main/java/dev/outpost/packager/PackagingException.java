package dev.outpost.packager;

/** The command's input cannot make a bundle; the message names what was wrong. Exit status 2. */
final class PackagingException extends Exception {
    private static final long serialVersionUID = 1L;

    PackagingException(String message) {
        super(message);
    }

    PackagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
