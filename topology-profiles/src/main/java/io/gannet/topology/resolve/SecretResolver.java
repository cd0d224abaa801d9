package io.gannet.topology.resolve;

import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.model.Md5Ref;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns an MD5 password reference into its value at render time. Error messages name the
 * reference, never the value.
 */
@FunctionalInterface
public interface SecretResolver {

    /** RFC 2385 keys go into TCP_MD5SIG, whose key is at most 80 bytes (Linux TCP_MD5SIG_MAXKEYLEN). */
    int MAX_KEY_BYTES = 80;

    /** A key file larger than this is not a key file (a path mistake): refused before reading. */
    int MAX_FILE_BYTES = 4096;

    Md5Secret resolve(Md5Ref ref) throws SecretUnavailableException;

    /** Thrown when a reference cannot be read; the message is safe to print. */
    final class SecretUnavailableException extends Exception {
        public SecretUnavailableException(String message) {
            super(message);
        }
    }

    /** Reads environment variables of this process and files on this machine. */
    static SecretResolver system() {
        return from(System::getenv);
    }

    /** Keeps only the reference: for check, diff and display, where the value is not needed. */
    static SecretResolver referencesOnly() {
        return ref -> new Md5Secret(ref.source(), ref.reference(), null);
    }

    /** Environment from {@code env}, files from disk (tests inject the environment). */
    static SecretResolver from(Function<String, String> env) {
        return ref -> {
            String value;
            String where = ref.source() == Md5Secret.Source.ENV ? "environment variable " + ref.reference() : "file " + ref.reference();
            if (ref.source() == Md5Secret.Source.ENV) {
                value = env.apply(ref.reference());
                if (value == null) {
                    throw new SecretUnavailableException("MD5 password " + where + " is not set");
                }
            } else {
                Path file = Path.of(ref.reference());
                try {
                    if (Files.size(file) > MAX_FILE_BYTES) {
                        throw new SecretUnavailableException("MD5 password " + where + " is " + Files.size(file)
                                + " bytes: a key file holds one key of at most " + MAX_KEY_BYTES + " bytes");
                    }
                    if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null
                            && Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                        throw new SecretUnavailableException("MD5 password " + where + " is readable by every user of this machine:"
                                + " chmod 600 " + file + " (owned by the user gannet runs as)");
                    }
                    value = Files.readString(file, StandardCharsets.UTF_8);
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new SecretUnavailableException("MD5 password " + where + " cannot be read: it does not exist; create it (mode 600) or fix the path");
                } catch (java.nio.file.AccessDeniedException e) {
                    throw new SecretUnavailableException("MD5 password " + where + " cannot be read: permission denied"
                            + " (run as its owner, or root)");
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new SecretUnavailableException("MD5 password " + where + " is not UTF-8 text");
                } catch (IOException | RuntimeException e) {
                    throw new SecretUnavailableException("MD5 password " + where + " cannot be read: "
                            + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : "I/O error"));
                }
                // Files written by echo or editors end in a newline that is not part of the key.
                value = value.strip();
            }
            if (value.isEmpty()) {
                throw new SecretUnavailableException("MD5 password " + where + " is empty");
            }
            if (value.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
                throw new SecretUnavailableException("MD5 password " + where + " is longer than " + MAX_KEY_BYTES + " bytes (TCP_MD5SIG limit)");
            }
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '"')) {
                // A control character or a quote could not be written into FRR or BIRD configuration safely.
                throw new SecretUnavailableException("MD5 password " + where + " contains a control character or a double quote");
            }
            return new Md5Secret(ref.source(), ref.reference(), value);
        };
    }

    static SecretResolver fromMap(Map<String, String> env) {
        return from(env::get);
    }
}
