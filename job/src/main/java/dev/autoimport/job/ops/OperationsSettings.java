package dev.autoimport.job.ops;

import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.job.JobMode;
import dev.autoimport.job.JobSettings;
import java.io.Serializable;

/**
 * What the sink's subtasks need for the error log, the walk's report, {@code import.max-errors} and
 * the root lease: built at submission and carried in the job graph. Holds no secret beyond the
 * logging container's {@link BlobStorageConfig}, which never prints it.
 */
public final class OperationsSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final String jobName;
    public final boolean importJob;

    /** A dry run: the outcomes are what the job would do; they go to a plan log. */
    public final boolean dryRun;

    /** -1 unlimited; applies to the import job only. */
    public final int maxErrors;

    public final BlobStorageConfig logging;
    public final RootLease lease;

    private OperationsSettings(JobSettings settings, RootLease lease) {
        this.jobName = settings.jobName;
        this.importJob = settings.mode == JobMode.IMPORT;
        this.dryRun = settings.dryRun;
        this.maxErrors = settings.maxErrors;
        this.logging = settings.loggingStorage();
        this.lease = lease;
    }

    /**
     * @param lease the lease taken at submission, or null to have the job take a new one when it
     *     starts (a job built without {@code main}, as in tests)
     */
    public static OperationsSettings of(JobSettings settings, RootLease lease) {
        return new OperationsSettings(
                settings,
                lease != null
                        ? lease
                        : RootLease.forNewJob(
                                settings.loggingStorage(), settings.lustreRoot, settings.jobName));
    }

    /** Whether failed blobs are counted against {@code import.max-errors}. */
    public boolean countsErrors() {
        return importJob && maxErrors >= 0;
    }

    @Override
    public String toString() {
        return "OperationsSettings{job=" + jobName + ", logging=" + logging + ", " + lease + "}";
    }
}
