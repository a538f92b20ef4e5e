package dev.autoimport.job;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What to do when a Lustre path differs from what this job last left there (SPEC section 4). */
public enum ConflictMode {
    SKIP("skip"),
    OVERWRITE_IF_DIRTY("overwrite-if-dirty"),
    OVERWRITE_ALWAYS("overwrite-always"),
    /** Import job only: the first conflict ends the job. */
    FAIL("fail");

    private final String value;

    ConflictMode(String value) {
        this.value = value;
    }

    /** The spelling used in settings. */
    public String value() {
        return value;
    }

    public static ConflictMode parse(String s) {
        for (ConflictMode m : values()) {
            if (m.value.equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not one of " + acceptedValues());
    }

    public static String acceptedValues() {
        return Arrays.stream(values()).map(ConflictMode::value).collect(Collectors.joining(", "));
    }
}
