package io.gannet.topology;

/** A request the profile cannot answer (unknown host or switch, unreadable MD5 reference). Safe to print. */
public final class ProfileException extends Exception {
    public ProfileException(String message) {
        super(message);
    }
}
