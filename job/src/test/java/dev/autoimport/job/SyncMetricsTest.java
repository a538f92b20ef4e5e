package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.connector.lustre.PosixAttributes;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** How each outcome counts (SPEC section 5), and which outcomes count nothing at all. */
class SyncMetricsTest {

    @Test
    void eachOutcomeCountsWhereTheSpecSays() {
        SyncMetrics blobSync =
                new SyncMetrics(new UnregisteredMetricsGroup(), SyncMetrics.BLOB_SYNC);
        blobSync.countSuccess(outcome(Operation.WRITE_FILE, Report.APPLY, FileKind.FILE));
        blobSync.countSuccess(
                outcome(Operation.MAKE_SYMLINK, Report.APPLY_CONFLICT, FileKind.SYMLINK));
        blobSync.countSuccess(outcome(Operation.DELETE, Report.APPLY, FileKind.FILE));
        blobSync.countSuccess(outcome(Operation.NONE, Report.PREEXISTING, FileKind.DIRECTORY));
        blobSync.countSuccess(outcome(Operation.NONE, Report.CONFLICT_KEPT, FileKind.FILE));
        blobSync.countSuccess(outcome(Operation.NONE, Report.ERROR, null));
        blobSync.countSuccess(outcome(Operation.NONE, Report.UP_TO_DATE, FileKind.FILE));

        assertThat(blobSync.snapshot())
                .containsEntry(SyncMetrics.IMPORTED_FILES, 1L)
                .containsEntry(SyncMetrics.IMPORTED_SYMLINKS, 1L)
                .containsEntry(SyncMetrics.BLOBS_IMPORTED, 2L)
                .containsEntry(SyncMetrics.DELETIONS, 1L)
                .containsEntry(SyncMetrics.PREEXISTING_DIRECTORIES, 1L)
                .containsEntry(SyncMetrics.CONFLICTS, 2L)
                .containsEntry(SyncMetrics.ERRORS, 1L)
                .containsEntry(SyncMetrics.PREEXISTING_FILES, 0L);

        SyncMetrics fullSync =
                new SyncMetrics(new UnregisteredMetricsGroup(), SyncMetrics.FULL_SYNC);
        fullSync.countSuccess(outcome(Operation.NONE, Report.UP_TO_DATE, FileKind.FILE));
        assertThat(fullSync.snapshot())
                .as("for the walk's table, a path it imported itself already matches")
                .containsEntry(SyncMetrics.PREEXISTING_FILES, 1L);
    }

    @Test
    void outcomesThatCountNothingNeedNotTravel() {
        LustreAction ignored = outcome(Operation.NONE, Report.IGNORED, null);
        LustreAction known = outcome(Operation.NONE, Report.UP_TO_DATE, FileKind.FILE);
        assertThat(SyncMetrics.countsAnything(ignored)).isFalse();
        assertThat(SyncMetrics.countsAnything(known)).isFalse();
        known.phase = SyncMetrics.FULL_SYNC;
        assertThat(SyncMetrics.countsAnything(known)).isTrue();
        assertThat(SyncMetrics.countsAnything(outcome(Operation.SYNC, Report.APPLY, null)))
                .isTrue();
        assertThat(SyncMetrics.countsAnything(outcome(Operation.NONE, Report.ERROR, null)))
                .isTrue();
    }

    private static LustreAction outcome(Operation op, Report report, FileKind kind) {
        PosixAttributes attributes =
                kind == null ? null : new PosixAttributes(kind, 1, 0, 0644, 0, 0);
        return LustreAction.of(op, "a/b", "a/b", "e1", attributes, SyncMetrics.BLOB_SYNC, report);
    }
}
