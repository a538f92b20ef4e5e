package dev.autoimport.job.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.job.SyncMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of the operations package that need no service: formats, names, sums. */
class OperationsUnitsTest {

    @Test
    void errorLogLinesAreOneLineOfProperlyEscapedJson() throws Exception {
        String name = "quote\" back\\slash\nnew line\ttab \u0001 é";
        ErrorLogEntry entry =
                new ErrorLogEntry(
                        Instant.parse("2026-01-02T03:04:05.678Z"),
                        "error",
                        "fullSync",
                        name,
                        null,
                        "decide",
                        "bad name: " + name,
                        0,
                        3);
        String json = entry.toJson();
        assertThat(json).doesNotContain("\n").startsWith("{\"time\":\"2026-01-02T03:04:05.678Z\"");
        ErrorLogEntry back = ErrorLogEntry.fromJson(json);
        assertThat(back.blobName).isEqualTo(name);
        assertThat(back.path).isNull();
        assertThat(back.error).isEqualTo("bad name: " + name);
        assertThat(back.subtask).isEqualTo(3);
        assertThat(back.time).isEqualTo(entry.time);
    }

    /** The lines and reports users and tests read, byte for byte as the earlier writer wrote. */
    @Test
    void jsonFormatsAreByteCompatibleWithTheEarlierWriter() throws Exception {
        String name = "quote\" back\\slash\nnew line\ttab \u0001 é \u2028 </script> \uD83D\uDE00";
        String escaped =
                "quote\\\" back\\\\slash\\nnew line\\ttab \\u0001 é \u2028 </script> \uD83D\uDE00";
        ErrorLogEntry refused =
                new ErrorLogEntry(
                        Instant.parse("2026-01-02T03:04:05.678Z"),
                        "error",
                        "fullSync",
                        name,
                        null,
                        "decide",
                        "bad name: " + name,
                        0,
                        3);
        assertThat(refused.toJson())
                .isEqualTo(
                        "{\"time\":\"2026-01-02T03:04:05.678Z\",\"level\":\"error\",\"phase\":\"fullSync\","
                                + "\"blobName\":\""
                                + escaped
                                + "\",\"operation\":\"decide\",\"error\":\"bad name: "
                                + escaped
                                + "\",\"attempts\":0,\"subtask\":3}");
        assertThat(
                        new ErrorLogEntry(
                                        Instant.EPOCH,
                                        "error",
                                        "blobSync",
                                        "b",
                                        "b",
                                        "write_file",
                                        "x",
                                        3,
                                        0)
                                .toJson())
                .isEqualTo(
                        "{\"time\":\"1970-01-01T00:00:00Z\",\"level\":\"error\",\"phase\":\"blobSync\","
                                + "\"blobName\":\"b\",\"path\":\"b\",\"operation\":\"write_file\","
                                + "\"error\":\"x\",\"attempts\":3,\"subtask\":0}");

        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        WalkReport part =
                new WalkReport(
                        "j \"q\"",
                        "id",
                        0,
                        2,
                        1,
                        true,
                        t0,
                        t0.plusSeconds(7),
                        Map.of(SyncMetrics.BLOBS_WALKED, 100L, SyncMetrics.BLOBS_IMPORTED, 41L));
        String partJson =
                "{\"jobName\":\"j \\\"q\\\"\",\"jobId\":\"id\",\"subtask\":0,\"parallelism\":2,"
                        + "\"parts\":1,\"complete\":true,\"started\":\"2026-01-01T00:00:00Z\","
                        + "\"updated\":\"2026-01-01T00:00:07Z\",\"counts\":{\"blobsWalked\":100,"
                        + "\"importedFiles\":0,\"importedDirectories\":0,\"importedSymlinks\":0,"
                        + "\"preexistingFiles\":0,\"preexistingDirectories\":0,"
                        + "\"preexistingSymlinks\":0,\"blobsImported\":41,\"conflicts\":0,"
                        + "\"errors\":0},\"rates\":{\"blobWalkRate\":14.285714285714286,"
                        + "\"blobImportRate\":5.857142857142857}}";
        assertThat(part.toJson()).isEqualTo(partJson);
        WalkReport back = WalkReport.fromJson(partJson);
        assertThat(back.toJson()).isEqualTo(partJson);
        assertThat(back.started).isEqualTo(t0);
        assertThat(back.counts).isEqualTo(part.counts);

        // Fields a writer left out, and fields this reader does not know.
        WalkReport sparse = WalkReport.fromJson("{\"jobName\":\"j\",\"extra\":[1,{}]}");
        assertThat(sparse.subtask).isEqualTo(-1);
        assertThat(sparse.parts).isEqualTo(1);
        assertThat(sparse.started).isEqualTo(Instant.EPOCH);
        assertThat(sparse.count(SyncMetrics.ERRORS)).isZero();
        assertThat(
                        ErrorLogEntry.fromJson(
                                        "{\"time\":\"1970-01-01T00:00:00Z\",\"future\":true,\"subtask\":2}")
                                .subtask)
                .isEqualTo(2);
    }

    @Test
    void errorLogLinesCarryNoSecretAndNoEndlessMessage() {
        ErrorLogEntry entry =
                new ErrorLogEntry(
                        Instant.EPOCH,
                        "error",
                        "blobSync",
                        "b",
                        "b",
                        "write_file",
                        "GET https://a.blob.core.windows.net/c/b?sv=2024&sig=abc%2Fdef%3D&se=x failed "
                                + "x".repeat(10_000),
                        3,
                        0);
        assertThat(entry.error).doesNotContain("abc%2Fdef").contains("sig=REDACTED&se=x");
        assertThat(entry.error.length()).isLessThan(ErrorLogEntry.MAX_ERROR_CHARS + 20);
    }

    @Test
    void redactionRemovesKeysAndSignatures() {
        assertThat(
                        Redaction.scrub(
                                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k3y/+==;EndpointSuffix=core.windows.net"))
                .isEqualTo(
                        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net");
        assertThat(Redaction.scrub("BlobEndpoint=x;SharedAccessSignature=sv=1&sig=s3cr3t"))
                .doesNotContain("s3cr3t");
        assertThat(Redaction.scrub("?sv=2024-01-01&sig=s3cr3t%3D"))
                .isEqualTo("?sv=2024-01-01&sig=REDACTED");
        assertThat(Redaction.scrub(null)).isNull();
    }

    @Test
    void blobNamesOfTheLoggingContainer() {
        String job = "import data -> /lustre/é/project";
        assertThat(LoggingContainerLayout.jobSegment(job))
                .isEqualTo("import_data_-_lustre_project");
        assertThat(LoggingContainerLayout.jobSegment("///")).isEqualTo("job");
        assertThat(LoggingContainerLayout.jobSegment("x".repeat(300))).hasSize(100);
        assertThat(
                        LoggingContainerLayout.errorLogBlob(
                                job, 2, Instant.parse("2026-03-04T05:06:07.089Z")))
                .isEqualTo(
                        "errors/import_data_-_lustre_project/2026-03-04/2-20260304T050607.089Z.jsonl");
        assertThat(LoggingContainerLayout.walkReportPart(job, "abc", 1))
                .isEqualTo("reports/import_data_-_lustre_project/abc/fullSync-1.json");
        assertThat(LoggingContainerLayout.lockBlob("/lustre/a"))
                .matches("locks/[0-9a-f]{64}")
                .isNotEqualTo(LoggingContainerLayout.lockBlob("/lustre/b"));
    }

    @Test
    void walkReportsSumAndRoundTrip() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        WalkReport a =
                new WalkReport(
                        "j",
                        "id",
                        0,
                        2,
                        1,
                        true,
                        t0,
                        t0.plusSeconds(10),
                        Map.of(SyncMetrics.BLOBS_WALKED, 100L, SyncMetrics.BLOBS_IMPORTED, 40L));
        WalkReport b =
                new WalkReport(
                        "j",
                        "id",
                        1,
                        2,
                        1,
                        true,
                        t0.plusSeconds(1),
                        t0.plusSeconds(20),
                        Map.of(SyncMetrics.BLOBS_WALKED, 100L, SyncMetrics.ERRORS, 3L));
        WalkReport sum = WalkReport.sum(List.of(WalkReport.fromJson(a.toJson()), b));
        assertThat(sum.complete).isTrue();
        assertThat(sum.count(SyncMetrics.BLOBS_WALKED)).isEqualTo(200);
        assertThat(sum.count(SyncMetrics.ERRORS)).isEqualTo(3);
        assertThat(sum.rate(SyncMetrics.BLOBS_WALKED)).isEqualTo(10.0);
        assertThat(sum.format())
                .contains("walk complete, 2 of 2 subtask report(s)")
                .containsPattern("blobWalkRate +10.0 /s");
        assertThat(WalkReport.sum(List.of(a)).complete).as("a part is missing").isFalse();
    }

    @Test
    void progressLinesCarryCountsAndRatesAndStayQuietWhenNothingChanged() {
        ProgressLog log = new ProgressLog(0, 2);
        Map<String, Long> none = Map.of(SyncMetrics.BLOBS_WALKED, 0L);
        assertThat(log.log(SyncMetrics.FULL_SYNC, none, 0)).isNull();
        Map<String, Long> first =
                Map.of(
                        SyncMetrics.BLOBS_WALKED, 1000L,
                        SyncMetrics.BLOBS_IMPORTED, 800L,
                        SyncMetrics.PREEXISTING_FILES, 150L,
                        SyncMetrics.CONFLICTS, 2L,
                        SyncMetrics.ERRORS, 1L);
        assertThat(log.log(SyncMetrics.FULL_SYNC, first, 0))
                .isEqualTo(
                        "Full sync progress, sink subtask 1/2: 1,000 blobs walked, 800 imported, 150"
                                + " pre-existing, 2 conflicts, 1 errors");
        Map<String, Long> later =
                Map.of(SyncMetrics.BLOBS_WALKED, 2000L, SyncMetrics.BLOBS_IMPORTED, 1300L);
        assertThat(log.log(SyncMetrics.FULL_SYNC, later, 5_000_000_000L))
                .startsWith(
                        "Full sync progress, sink subtask 1/2: 2,000 blobs walked (200.0/s), 1,300"
                                + " imported (100.0/s)");
        assertThat(log.log(SyncMetrics.FULL_SYNC, later, 10_000_000_000L)).isNull();
    }

    @Test
    void statusCommandFindsPhaseMetricsAndMapsStates() {
        assertThat(StatusCommand.phaseAndName("lustre_sink__Writer.fullSync.importedFiles"))
                .isEqualTo("fullSync.importedFiles");
        assertThat(StatusCommand.phaseAndName("Source__blob_listing.fullSync.blobWalkRate"))
                .isEqualTo("fullSync.blobWalkRate");
        assertThat(StatusCommand.phaseAndName("blobSync.deletions"))
                .isEqualTo("blobSync.deletions");
        assertThat(StatusCommand.phaseAndName("x.myfullSync.errors")).isNull();
        assertThat(StatusCommand.phaseAndName("numRecordsIn")).isNull();
        assertThat(StatusCommand.exitCode("RUNNING")).isEqualTo(StatusCommand.EXIT_RUNNING);
        assertThat(StatusCommand.exitCode("RESTARTING")).isEqualTo(StatusCommand.EXIT_RUNNING);
        assertThat(StatusCommand.exitCode("FINISHED")).isEqualTo(StatusCommand.EXIT_FINISHED);
        assertThat(StatusCommand.exitCode("FAILED")).isEqualTo(StatusCommand.EXIT_FAILED);
        assertThat(StatusCommand.exitCode("CANCELED")).isEqualTo(StatusCommand.EXIT_FAILED);
    }
}
