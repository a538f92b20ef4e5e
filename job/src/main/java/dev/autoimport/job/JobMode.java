package dev.autoimport.job;

/** Which job runs: the full sync alone, or the full sync followed by the endless blob sync. */
public enum JobMode {
    /** The bounded import job: walk the container once, then finish. */
    IMPORT("import"),
    /** The walk, then the change feed from the moment the walk started, forever. */
    AUTO_IMPORT("auto-import");

    private final String value;

    JobMode(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static JobMode parse(String s) {
        for (JobMode m : values()) {
            if (m.value.equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not one of import, auto-import");
    }
}
