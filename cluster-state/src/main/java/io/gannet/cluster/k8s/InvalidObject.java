package io.gannet.cluster.k8s;

/**
 * A Kubernetes object field that cannot be used: {@code path} names the field in the
 * object's own terms ({@code spec.ports[1].port}), the message says what is wrong.
 */
public final class InvalidObject extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    public InvalidObject(String path, String message) {
        super(path.isEmpty() ? message : path + ": " + message);
        this.path = path;
    }

    /** The field, dotted with [index] for list elements. */
    public String path() {
        return path;
    }

    /** The field as a JSON pointer ("/spec/ports/1/port") for {@link YamlDocument#locate}. */
    public String pointer() {
        StringBuilder b = new StringBuilder();
        for (String part : path.replaceAll("\\[(\\d+)]", ".$1").split("\\.")) {
            if (!part.isEmpty()) {
                b.append('/').append(part.replace("~", "~0").replace("/", "~1"));
            }
        }
        return b.toString();
    }
}
