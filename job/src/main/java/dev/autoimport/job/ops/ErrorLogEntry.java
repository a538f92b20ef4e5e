package dev.autoimport.job.ops;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of the error log: a blob that was not imported, and why.
 *
 * <p>Fields, in this order: {@code time} (UTC, ISO-8601), {@code level} ({@code error}), {@code
 * phase} ({@code fullSync} or {@code blobSync}), {@code blobName}, {@code path} (relative to the
 * Lustre root; null when the name cannot become a path), {@code operation} ({@code decide} for a
 * blob the decision refused, else {@code write_file}, {@code make_directory}, {@code make_symlink}
 * or {@code delete}), {@code error}, {@code attempts} (0 for a refused blob) and {@code subtask}. A
 * null field is left out of the line. Written and read with Jackson.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "time",
    "level",
    "phase",
    "blobName",
    "path",
    "operation",
    "error",
    "attempts",
    "subtask"
})
public final class ErrorLogEntry {

    /** Longest error text kept in a line; longer messages are cut. */
    static final int MAX_ERROR_CHARS = 4096;

    public final Instant time;
    public final String level;
    public final String phase;
    public final String blobName;
    public final String path;
    public final String operation;
    public final String error;
    public final int attempts;
    public final int subtask;

    @JsonCreator
    public ErrorLogEntry(
            @JsonProperty("time") Instant time,
            @JsonProperty("level") String level,
            @JsonProperty("phase") String phase,
            @JsonProperty("blobName") String blobName,
            @JsonProperty("path") String path,
            @JsonProperty("operation") String operation,
            @JsonProperty("error") String error,
            @JsonProperty("attempts") int attempts,
            @JsonProperty("subtask") int subtask) {
        this.time = Objects.requireNonNull(time, "time");
        this.level = level;
        this.phase = phase;
        this.blobName = blobName;
        this.path = path;
        this.operation = operation;
        this.error = clip(Redaction.scrub(error));
        this.attempts = attempts;
        this.subtask = subtask;
    }

    /** The entry as one line of JSON, without the line break; a null field is left out. */
    public String toJson() {
        return Json.write(this);
    }

    /** Reads a line written by {@link #toJson()}. */
    public static ErrorLogEntry fromJson(String line) throws IOException {
        return Json.MAPPER.readValue(line, ErrorLogEntry.class);
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_ERROR_CHARS
                ? s
                : s.substring(0, MAX_ERROR_CHARS) + "... (cut)";
    }

    @Override
    public String toString() {
        return toJson();
    }
}
