package dev.autoimport.job.decision;

/** A conflict in {@code fail} mode: the import job stops, naming the path. */
public class ImportConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImportConflictException(String message) {
        super(message);
    }
}
