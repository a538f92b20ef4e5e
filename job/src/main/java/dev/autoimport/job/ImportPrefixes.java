package dev.autoimport.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The blob-name prefixes a job imports, normalized (no leading '/'; the empty prefix means
 * everything) and checked against SPEC section 2.
 */
public final class ImportPrefixes implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int MAX_PREFIXES = 100;

    private final List<String> prefixes;

    private ImportPrefixes(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * Normalizes and validates prefixes as a user writes them.
     *
     * @throws IllegalArgumentException with a message that says what to change
     */
    public static ImportPrefixes parse(List<String> raw) {
        if (raw == null || raw.isEmpty()) {
            return new ImportPrefixes(List.of(""));
        }
        if (raw.size() > MAX_PREFIXES) {
            throw new IllegalArgumentException(
                    raw.size() + " prefixes given; at most " + MAX_PREFIXES + " are allowed");
        }
        List<String> normalized = new ArrayList<>();
        for (String p : raw) {
            String n = normalize(p);
            if (normalized.contains(n)) {
                throw new IllegalArgumentException("prefix '" + p + "' is given twice");
            }
            normalized.add(n);
        }
        for (String a : normalized) {
            for (String b : normalized) {
                if (!a.equals(b) && b.startsWith(a)) {
                    throw new IllegalArgumentException(
                            "prefix '/"
                                    + a
                                    + "' is a string prefix of '/"
                                    + b
                                    + "', so blobs under both would be imported twice; keep only '/"
                                    + a
                                    + "' or make them disjoint (e.g. '/"
                                    + a
                                    + (a.isEmpty() || a.endsWith("/") ? "" : "/")
                                    + "')");
                }
            }
        }
        return new ImportPrefixes(normalized);
    }

    private static String normalize(String prefix) {
        String p = prefix == null ? "" : prefix.trim();
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("prefix '" + prefix + "' contains a NUL character");
        }
        return p;
    }

    /** Prefixes as blob-name string prefixes ("" = every blob). */
    public List<String> asList() {
        return prefixes;
    }

    public boolean matches(String blobName) {
        for (String p : prefixes) {
            if (blobName.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return prefixes.stream().map(p -> "/" + p).toList().toString();
    }
}
