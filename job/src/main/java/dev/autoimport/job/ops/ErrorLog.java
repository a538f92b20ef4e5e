package dev.autoimport.job.ops;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AppendBlobRequestConditions;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.specialized.AppendBlobClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error log of one sink subtask: JSON lines ({@link ErrorLogEntry}) appended in batches to
 * append blobs in the logging container, named by {@link LoggingContainerLayout#errorLogBlob}.
 *
 * <p>{@link #add} only buffers; {@link #flush} appends what is buffered, in blocks of at most 4
 * MiB. A blob is created on the first line (subtasks without errors leave nothing), and a new one
 * is started on a new UTC day and before the service's limit of 50,000 blocks per append blob. Each
 * append is conditional on the blob's expected length, so a retried append that had in fact
 * succeeded is recognised rather than written twice. When the logging container cannot be written,
 * lines stay buffered (at most {@value #MAX_BUFFERED_LINES}; older ones beyond that are dropped and
 * counted) and the next flush tries again.
 */
public final class ErrorLog {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorLog.class);

    static final int MAX_BLOCK_BYTES = 4 * 1024 * 1024;
    static final int MAX_BLOCKS_PER_BLOB = 49_000;
    static final int MAX_BUFFERED_LINES = 100_000;

    private final BlobContainerClient container;
    private final String folder;
    private final String title;
    private final int subtask;
    private final Clock clock;

    private final Deque<String> buffered = new ArrayDeque<>();
    private long dropped;

    // Guarded by "this": the blob being appended to.
    private AppendBlobClient blob;
    private LocalDate blobDay;
    private int blobBlocks;
    private long blobLength;
    private Instant lastStart = Instant.EPOCH;

    public ErrorLog(BlobContainerClient container, String jobName, int subtask, Clock clock) {
        this(
                container,
                LoggingContainerLayout.errorLogFolder(jobName),
                "Error log",
                subtask,
                clock);
    }

    /** The same append-only log for a dry run's plan: one line per change it would make. */
    public static ErrorLog plan(
            BlobContainerClient container, String jobName, int subtask, Clock clock) {
        return new ErrorLog(
                container,
                LoggingContainerLayout.planFolder(jobName),
                "Dry-run plan",
                subtask,
                clock);
    }

    private ErrorLog(
            BlobContainerClient container, String folder, String title, int subtask, Clock clock) {
        this.container = container;
        this.folder = folder;
        this.title = title;
        this.subtask = subtask;
        this.clock = clock;
    }

    /** Buffers one line; never blocks on the network. */
    public void add(ErrorLogEntry entry) {
        String line = entry.toJson() + "\n";
        synchronized (buffered) {
            if (buffered.size() >= MAX_BUFFERED_LINES) {
                buffered.removeFirst();
                dropped++;
            }
            buffered.addLast(line);
        }
    }

    /** Lines added but not yet in the logging container. */
    public int pendingLines() {
        synchronized (buffered) {
            return buffered.size();
        }
    }

    /** Lines dropped because the logging container could not be written for too long. */
    public long droppedLines() {
        synchronized (buffered) {
            return dropped;
        }
    }

    /** Where the error logs of this job are: "container 'c', blobs under 'errors/job/'". */
    public String location() {
        return "container '" + container.getBlobContainerName() + "', blobs under '" + folder + "'";
    }

    /**
     * Appends every buffered line.
     *
     * @throws BlobStorageException or another runtime exception of the client when the logging
     *     container cannot be written; the lines not written stay buffered
     */
    public synchronized void flush() {
        List<String> lines;
        synchronized (buffered) {
            if (buffered.isEmpty()) {
                return;
            }
            lines = new ArrayList<>(buffered);
            buffered.clear();
        }
        int written = 0;
        try {
            while (written < lines.size()) {
                ByteArrayOutputStream block = new ByteArrayOutputStream();
                int next = written;
                while (next < lines.size()) {
                    byte[] line = lines.get(next).getBytes(StandardCharsets.UTF_8);
                    if (block.size() > 0 && block.size() + line.length > MAX_BLOCK_BYTES) {
                        break;
                    }
                    block.writeBytes(line);
                    next++;
                }
                append(block.toByteArray());
                written = next;
            }
        } finally {
            if (written < lines.size()) {
                synchronized (buffered) {
                    List<String> unwritten = lines.subList(written, lines.size());
                    for (int i = unwritten.size() - 1; i >= 0; i--) {
                        buffered.addFirst(unwritten.get(i));
                    }
                }
            }
        }
    }

    private void append(byte[] block) {
        Instant now = clock.instant();
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        if (blob == null || !today.equals(blobDay) || blobBlocks >= MAX_BLOCKS_PER_BLOB) {
            startBlob(now);
        }
        AppendBlobRequestConditions expectedLength =
                new AppendBlobRequestConditions().setAppendPosition(blobLength);
        try {
            blob.appendBlockWithResponse(
                    new ByteArrayInputStream(block),
                    block.length,
                    null,
                    expectedLength,
                    null,
                    Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOCK_COUNT_EXCEEDS_LIMIT) {
                blobBlocks = MAX_BLOCKS_PER_BLOB;
                append(block);
                return;
            }
            if (e.getErrorCode() != BlobErrorCode.APPEND_POSITION_CONDITION_NOT_MET
                    || blob.getProperties().getBlobSize() != blobLength + block.length) {
                throw e;
            }
            // An earlier try of this append reached the service; its answer was lost.
        }
        blobBlocks++;
        blobLength += block.length;
    }

    private void startBlob(Instant now) {
        Instant start = now.isAfter(lastStart) ? now : lastStart.plusMillis(1);
        while (true) {
            String name = LoggingContainerLayout.logBlob(folder, subtask, start);
            AppendBlobClient candidate = container.getBlobClient(name).getAppendBlobClient();
            if (candidate.createIfNotExists() != null) {
                blob = candidate;
                blobDay = start.atZone(ZoneOffset.UTC).toLocalDate();
                blobBlocks = 0;
                blobLength = 0;
                lastStart = start;
                LOG.info("{} of subtask {}: {}", title, subtask, name);
                return;
            }
            start = start.plusMillis(1);
        }
    }
}
