package dev.autoimport.job.bench;

import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Metric;

/**
 * Time for the running auto-import job (change-feed mode) to reflect the same 100 changes that
 * rclone and the import job's re-walk were timed on, at each container size:
 *
 * <ol>
 *   <li>the feed is emptied, then the auto-import job ({@code --mode auto-import}, deletions on,
 *       default checkpoints and poll interval) is started on the tree the import job mirrored, and
 *       the benchmark waits until its walk is over and it reads the change feed ({@code
 *       blobSync.lastFullySynchronizedTime} above 0 on every sink subtask);
 *   <li>the 100 changes are applied again (round 2 of {@link Corpus#applyHundredChanges}: the same
 *       blobs, other bytes), then their 100 {@code BlobCreated} events are published in one chunk
 *       per shard (not timed);
 *   <li>the time from the moment the events are readable until {@code blobSync.blobsImported}
 *       reaches 100 (every file written under its final name) is the result.
 * </ol>
 *
 * <p>It includes the wait for the job's next poll of the feed ({@code changefeed.poll-interval}, 1
 * s by default). Never an estimate: on a timeout the result is empty and prints as "not measured".
 */
final class AutoImportFreshness {

    static final Duration TIMEOUT = Duration.ofMinutes(2);

    private String note = "not measured";

    /**
     * Seconds until the auto-import job started on {@code root} has applied 100 changes to {@code
     * spec}'s container, or empty (see {@link #note()}).
     */
    Optional<Double> measure(
            ImportRunner importer,
            AzuriteServer azurite,
            BenchFeed feed,
            Corpus corpus,
            Corpus.Spec spec,
            Path root,
            String loggingContainer,
            List<String> jobArgs)
            throws Exception {
        feed.reset();
        JobClient job =
                importer.startAutoImport(
                        azurite, spec.container(), root, loggingContainer, jobArgs);
        try {
            JobID id = job.getJobID();
            // The walk of 1,000,000 blobs on Azurite takes hours: no fixed limit here.
            importer.awaitBlobSync(job, Duration.ofHours(12));
            List<Corpus.Uploaded> changed = corpus.applyHundredChanges(spec, 2);
            Instant now = Instant.now();
            List<FeedEvent> events = new ArrayList<>();
            for (Corpus.Uploaded blob : changed) {
                events.add(feed.created(spec.container(), blob, now));
            }
            List<Metric> imported = importer.metrics(id, "blobSync.blobsImported", null);
            long readable = feed.publish(events);
            long deadline = readable + TIMEOUT.toNanos();
            while (ImportRunner.sum(imported) < changed.size()) {
                if (System.nanoTime() > deadline) {
                    note = "not measured: timed out after " + TIMEOUT.toSeconds() + " s";
                    return Optional.empty();
                }
                Thread.sleep(2);
            }
            return Optional.of((System.nanoTime() - readable) / 1e9);
        } finally {
            ImportRunner.cancel(job);
        }
    }

    /** Why {@link #measure} returned empty. */
    String note() {
        return note;
    }
}
