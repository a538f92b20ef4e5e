package dev.autoimport.job.ops;

/** The import job met more failed blobs than {@code import.max-errors} allows. */
public class TooManyErrorsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long errors;

    public TooManyErrorsException(String message, long errors) {
        super(message);
        this.errors = errors;
    }

    /** How many distinct blobs had failed when the job stopped. */
    public long errors() {
        return errors;
    }
}
