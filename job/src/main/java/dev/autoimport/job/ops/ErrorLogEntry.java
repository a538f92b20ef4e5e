package dev.autoimport.job.ops;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.json.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of the error log: a blob that was not imported, and why.
 *
 * <p>Fields, in this order: {@code time} (UTC, ISO-8601), {@code level} ({@code error}), {@code
 * phase} ({@code fullSync} or {@code blobSync}), {@code blobName}, {@code path} (relative to the
 * Lustre root; null when the name cannot become a path), {@code operation} ({@code decide} for a
 * blob the decision refused, else {@code write_file}, {@code make_directory}, {@code make_symlink}
 * or {@code delete}), {@code error}, {@code attempts} (0 for a refused blob) and {@code subtask}.
 */
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

    public ErrorLogEntry(
            Instant time,
            String level,
            String phase,
            String blobName,
            String path,
            String operation,
            String error,
            int attempts,
            int subtask) {
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

    /** The entry as one line of JSON, without the line break. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonWriter w = JsonProviders.createWriter(text)) {
            w.writeStartObject()
                    .writeStringField("time", time.toString())
                    .writeStringField("level", level)
                    .writeStringField("phase", phase)
                    .writeStringField("blobName", blobName)
                    .writeStringField("path", path)
                    .writeStringField("operation", operation)
                    .writeStringField("error", error)
                    .writeIntField("attempts", attempts)
                    .writeIntField("subtask", subtask)
                    .writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Reads a line written by {@link #toJson()}. */
    public static ErrorLogEntry fromJson(String line) throws IOException {
        try (JsonReader r = JsonProviders.createReader(line)) {
            return r.readObject(
                    o -> {
                        Instant time = null;
                        String level = null;
                        String phase = null;
                        String blobName = null;
                        String path = null;
                        String operation = null;
                        String error = null;
                        int attempts = 0;
                        int subtask = 0;
                        while (o.nextToken() != JsonToken.END_OBJECT) {
                            String field = o.getFieldName();
                            o.nextToken();
                            switch (field) {
                                case "time":
                                    time = Instant.parse(o.getString());
                                    break;
                                case "level":
                                    level = o.getString();
                                    break;
                                case "phase":
                                    phase = o.getString();
                                    break;
                                case "blobName":
                                    blobName = o.getString();
                                    break;
                                case "path":
                                    path = o.getString();
                                    break;
                                case "operation":
                                    operation = o.getString();
                                    break;
                                case "error":
                                    error = o.getString();
                                    break;
                                case "attempts":
                                    attempts = o.getInt();
                                    break;
                                case "subtask":
                                    subtask = o.getInt();
                                    break;
                                default:
                                    o.skipChildren();
                            }
                        }
                        return new ErrorLogEntry(
                                time, level, phase, blobName, path, operation, error, attempts,
                                subtask);
                    });
        }
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
