package dev.autoimport.job.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Where the job writes in the logging container. Every name is plain text that any blob tool can
 * list and read:
 *
 * <pre>
 * errors/&lt;job&gt;/&lt;yyyy-MM-dd&gt;/&lt;subtask&gt;-&lt;start&gt;.jsonl   error log: append blobs, one JSON line per failed blob
 * plans/&lt;job&gt;/&lt;yyyy-MM-dd&gt;/&lt;subtask&gt;-&lt;start&gt;.jsonl    a dry run's plan: one JSON line per change it would make
 * reports/&lt;job&gt;/&lt;job id&gt;/fullSync-0.json               the walk's table (written by the operations operator)
 * locks/&lt;sha256 of the Lustre root&gt;                      one job per root: the lease and its holder
 * </pre>
 *
 * {@code <job>} is the job name reduced to letters, digits, '.', '_' and '-' (see {@link
 * #jobSegment}); dates and times are UTC.
 */
public final class LoggingContainerLayout {

    private static final DateTimeFormatter START =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final int MAX_JOB_SEGMENT = 100;

    private LoggingContainerLayout() {}

    /** The job name as one blob-name segment: other characters become '_', at most 100. */
    public static String jobSegment(String jobName) {
        String s = jobName.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[_.]+|_+$", "");
        if (s.length() > MAX_JOB_SEGMENT) {
            s = s.substring(0, MAX_JOB_SEGMENT);
        }
        return s.isEmpty() ? "job" : s;
    }

    /** The folder of one job's error logs, ending with '/'. */
    public static String errorLogFolder(String jobName) {
        return "errors/" + jobSegment(jobName) + "/";
    }

    /** The folder of one job's dry-run plans, ending with '/'. */
    public static String planFolder(String jobName) {
        return "plans/" + jobSegment(jobName) + "/";
    }

    /** One error-log blob of one sink subtask, started at {@code start}. */
    public static String errorLogBlob(String jobName, int subtask, Instant start) {
        return logBlob(errorLogFolder(jobName), subtask, start);
    }

    /** One blob of a log under {@code folder} (errors or plans), started at {@code start}. */
    static String logBlob(String folder, int subtask, Instant start) {
        LocalDate day = start.atZone(ZoneOffset.UTC).toLocalDate();
        return folder + day + "/" + subtask + "-" + START.format(start) + ".jsonl";
    }

    /** The folder of one job run's reports, ending with '/'. */
    public static String reportFolder(String jobName, String jobId) {
        return "reports/" + jobSegment(jobName) + "/" + jobId + "/";
    }

    /** One part of the walk's table (the operations operator writes part 0 of 1). */
    public static String walkReportPart(String jobName, String jobId, int subtask) {
        return reportFolder(jobName, jobId) + "fullSync-" + subtask + ".json";
    }

    /** The lock blob of one Lustre root (the path with links resolved). */
    public static String lockBlob(String lustreRoot) {
        return "locks/" + sha256(lustreRoot);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
