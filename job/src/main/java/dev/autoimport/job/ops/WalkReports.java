package dev.autoimport.job.ops;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The walk's reports in the logging container: each sink subtask's part, and their sum. */
public final class WalkReports {

    private final BlobContainerClient container;

    public WalkReports(BlobContainerClient container) {
        this.container = container;
    }

    /** Writes (or replaces) one subtask's part. */
    public void write(WalkReport part) {
        container
                .getBlobClient(
                        LoggingContainerLayout.walkReportPart(
                                part.jobName, part.jobId, part.subtask))
                .upload(BinaryData.fromString(part.toJson()), true);
    }

    /** The sum of every part of one job run, or empty when none was written. */
    public Optional<WalkReport> readSummed(String jobName, String jobId) {
        String folder = LoggingContainerLayout.reportFolder(jobName, jobId);
        List<WalkReport> parts = new ArrayList<>();
        for (BlobItem item :
                container.listBlobs(new ListBlobsOptions().setPrefix(folder + "fullSync-"), null)) {
            String json = container.getBlobClient(item.getName()).downloadContent().toString();
            try {
                parts.add(WalkReport.fromJson(json));
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable report " + item.getName(), e);
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
