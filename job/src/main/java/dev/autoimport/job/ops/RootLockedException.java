package dev.autoimport.job.ops;

/** Another job holds the lease on the Lustre root's lock blob. */
public class RootLockedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RootLockedException(String message) {
        super(message);
    }
}
