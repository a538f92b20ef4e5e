package dev.autoimport.job.ops;

/**
 * {@code import.max-errors}: the count of failed blobs of the import job, kept by the one {@link
 * OperationsOperator} in its checkpointed state, so it is exact across failovers (a failure
 * replayed after a restore was not in the restored count) and needs nothing in the logging
 * container.
 */
public final class ErrorBudget {

    private final int maxErrors;
    private final String errorLogLocation;
    private long failed;

    /**
     * @param maxErrors at least 0: the job stops when more blobs than this failed
     * @param failed the count restored from a checkpoint
     * @param errorLogLocation where the error log is, for the message
     */
    public ErrorBudget(int maxErrors, long failed, String errorLogLocation) {
        if (maxErrors < 0) {
            throw new IllegalArgumentException("an unlimited budget needs no counting");
        }
        this.maxErrors = maxErrors;
        this.failed = failed;
        this.errorLogLocation = errorLogLocation;
    }

    /**
     * Counts one failed blob.
     *
     * @throws TooManyErrorsException when more than the maximum blobs failed
     */
    public void count() {
        failed++;
        if (failed > maxErrors) {
            throw new TooManyErrorsException(
                    "the import stopped: "
                            + failed
                            + (failed == 1 ? " blob" : " blobs")
                            + " failed, more than import.max-errors="
                            + maxErrors
                            + " allows. Each failed blob is one JSON line in the error log: "
                            + errorLogLocation,
                    failed);
        }
    }

    /** Failed blobs so far, for the checkpoint. */
    public long failed() {
        return failed;
    }
}
