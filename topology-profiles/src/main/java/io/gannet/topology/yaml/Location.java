package io.gannet.topology.yaml;

/**
 * A position in a profile file, 1-based like compilers and editors print it.
 *
 * @param file   the file name as the user gave it (printed verbatim in messages)
 * @param line   1-based line
 * @param column 1-based column
 */
public record Location(String file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
