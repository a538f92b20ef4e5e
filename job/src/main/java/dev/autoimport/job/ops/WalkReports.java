package dev.autoimport.job.ops;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.autoimport.connector.blob.TransientFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The walk's reports in the logging container: each sink subtask's part, and their sum.
 *
 * <p>Every call is retried on transient failures ({@link TransientFaults#call}), on top of the
 * SDK's own retries: a connection reset in the middle of a report's body reaches our code, not the
 * SDK's retry policy, and would otherwise lose the import job's summary table.
 */
public final class WalkReports {

    private final BlobContainerClient container;

    public WalkReports(BlobContainerClient container) {
        this.container = container;
    }

    /** Writes (or replaces) one subtask's part. */
    public void write(WalkReport part) {
        String name = LoggingContainerLayout.walkReportPart(part.jobName, part.jobId, part.subtask);
        TransientFaults.run(
                "writing the walk report " + name,
                () ->
                        container
                                .getBlobClient(name)
                                .upload(BinaryData.fromString(part.toJson()), true));
    }

    /** The sum of every part of one job run, or empty when none was written. */
    public Optional<WalkReport> readSummed(String jobName, String jobId) {
        String folder = LoggingContainerLayout.reportFolder(jobName, jobId);
        List<String> names =
                TransientFaults.call(
                        "listing the walk reports (" + location(jobName, jobId) + ")",
                        () -> {
                            List<String> found = new ArrayList<>();
                            for (BlobItem item :
                                    container.listBlobs(
                                            new ListBlobsOptions().setPrefix(folder + "fullSync-"),
                                            null)) {
                                found.add(item.getName());
                            }
                            return found;
                        });
        List<WalkReport> parts = new ArrayList<>();
        for (String name : names) {
            String json =
                    TransientFaults.call(
                            "reading the walk report " + name,
                            () -> container.getBlobClient(name).downloadContent().toString());
            try {
                parts.add(WalkReport.fromJson(json));
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable report " + name, e);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(WalkReport.sum(parts));
    }

    /** Where the reports of one run are, for messages. */
    public String location(String jobName, String jobId) {
        return "container '"
                + container.getBlobContainerName()
                + "', blobs under '"
                + LoggingContainerLayout.reportFolder(jobName, jobId)
                + "'";
    }
}
