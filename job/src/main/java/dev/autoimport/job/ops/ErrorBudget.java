package dev.autoimport.job.ops;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AppendBlobItem;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.AppendBlobClient;
import java.io.ByteArrayInputStream;

/**
 * {@code import.max-errors} across all sink subtasks: a count of failed blobs shared through the
 * logging container, so it needs no Flink accumulator and survives restarts of the job.
 *
 * <p>Each failed blob creates a marker blob named by the hash of its name (create-if-absent), so a
 * blob that fails again when the job replays from a checkpoint is not counted twice. A new marker
 * appends one byte to a shared append blob; the offset the service returns for that append is the
 * number of blobs counted before it, so the running total needs no read and no lock. Only when that
 * total exceeds the limit are the markers listed for the exact count (a retried append may have
 * added a byte twice), and only if the exact count exceeds it too does {@link #count} throw. The
 * import job also checks the exact count when its input ends ({@link #checkExactCount}), which
 * catches a count lost between creating a marker and appending its byte.
 *
 * <p>Each append blob takes at most 50,000 appends; the count then continues in the next one
 * ({@code count-0}, {@code count-1}, ...).
 */
public final class ErrorBudget {

    private static final byte[] ONE = {1};

    private final BlobContainerClient container;
    private final String folder;
    private final int maxErrors;
    private final String errorLogLocation;

    private int generation;
    private long earlierGenerations;

    /**
     * @param maxErrors at least 0: the job stops when more blobs than this failed
     * @param errorLogLocation where the error log is, for the message
     */
    public ErrorBudget(
            BlobContainerClient container,
            String jobName,
            String jobId,
            int maxErrors,
            String errorLogLocation) {
        if (maxErrors < 0) {
            throw new IllegalArgumentException("an unlimited budget needs no counting");
        }
        this.container = container;
        this.folder = LoggingContainerLayout.errorBudgetFolder(jobName, jobId);
        this.maxErrors = maxErrors;
        this.errorLogLocation = errorLogLocation;
    }

    /**
     * Counts one failed blob.
     *
     * @return the number of failed blobs counted so far (by all subtasks)
     * @throws TooManyErrorsException when more than the maximum blobs failed
     */
    public synchronized long count(String blobName) {
        if (!createMarker(blobName)) {
            return -1;
        }
        long total = appendOne();
        if (total > maxErrors) {
            checkExactCount();
        }
        return total;
    }

    /**
     * Counts the markers, which is exact.
     *
     * @throws TooManyErrorsException when more than the maximum blobs failed
     */
    public synchronized long checkExactCount() {
        long exact =
                container
                        .listBlobs(new ListBlobsOptions().setPrefix(folder + "blobs/"), null)
                        .stream()
                        .count();
        if (exact > maxErrors) {
            throw new TooManyErrorsException(
                    "the import stopped: "
                            + exact
                            + (exact == 1 ? " blob" : " blobs")
                            + " failed, more than import.max-errors="
                            + maxErrors
                            + " allows. Each failed blob is one JSON line in the error log: "
                            + errorLogLocation,
                    exact);
        }
        return exact;
    }

    private boolean createMarker(String blobName) {
        String name = folder + "blobs/" + LoggingContainerLayout.sha256(String.valueOf(blobName));
        try {
            container
                    .getBlobClient(name)
                    .getBlockBlobClient()
                    .uploadWithResponse(
                            new BlockBlobSimpleUploadOptions(
                                            new ByteArrayInputStream(new byte[0]), 0)
                                    .setRequestConditions(
                                            new BlobRequestConditions().setIfNoneMatch("*")),
                            null,
                            Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_ALREADY_EXISTS || e.getStatusCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    private long appendOne() {
        while (true) {
            AppendBlobClient counter =
                    container.getBlobClient(folder + "count-" + generation).getAppendBlobClient();
            counter.createIfNotExists();
            try {
                AppendBlobItem item =
                        counter.appendBlockWithResponse(
                                        new ByteArrayInputStream(ONE),
                                        1,
                                        null,
                                        null,
                                        null,
                                        Context.NONE)
                                .getValue();
                return earlierGenerations + Long.parseLong(item.getBlobAppendOffset()) + 1;
            } catch (BlobStorageException e) {
                if (e.getErrorCode() != BlobErrorCode.BLOCK_COUNT_EXCEEDS_LIMIT) {
                    throw e;
                }
                earlierGenerations += counter.getProperties().getBlobSize();
                generation++;
            }
        }
    }
}
