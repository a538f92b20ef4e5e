package dev.autoimport.job.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.lustre.BlobVersion;
import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.connector.lustre.SyncPolicy.InvalidBlobException;
import dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion;
import dev.autoimport.connector.lustre.SyncPolicy.UpsertVerdict;
import dev.autoimport.job.ConflictMode;
import dev.autoimport.job.EntryDefaults;
import java.util.Map;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;

/** The rules the sink asks where it carries an action out. */
class ImportPolicyTest {

    private static final EntryDefaults DEFAULTS = new EntryDefaults(1000, 1000, false, false);

    @Test
    void aBlobVersionFromADownloadsAnswerBecomesItsEntry() throws Exception {
        ImportPolicy policy = new ImportPolicy(ConflictMode.SKIP, DEFAULTS);
        BlobVersion blob =
                new BlobVersion(
                        "a/run.sh",
                        "e1",
                        1_800_000_000_000L,
                        12,
                        Map.of("Permissions", "0750", "mtime", "2026-01-02T03:04:05Z"));

        PosixAttributes entry = policy.entryOf(blob).attributes();

        assertThat(entry.kind).isEqualTo(FileKind.FILE);
        assertThat(entry.mode).isEqualTo(0750);
        assertThat(entry.size).isEqualTo(12);
        assertThat(entry.mtimeMillis).isEqualTo(1_767_323_045_000L);
    }

    @Test
    void aBlobThatCannotBeAnEntryIsRefusedForItself() {
        ImportPolicy policy = new ImportPolicy(ConflictMode.SKIP, DEFAULTS);
        BlobVersion link = new BlobVersion("l", "e1", 0, 0, Map.of("ftype", "LNK"));
        assertThatThrownBy(() -> policy.entryOf(link)).isInstanceOf(InvalidBlobException.class);
    }

    @Test
    void aConflictInFailModeStopsTheJobNamingThePath() {
        ImportPolicy policy = new ImportPolicy(ConflictMode.FAIL, DEFAULTS);
        LustreAction action = new LustreAction();
        action.path = "x/y";
        action.blobName = "x/y";
        PosixAttributes desired = new PosixAttributes(FileKind.FILE, 3, 0, 0644, 1000, 1000);
        PosixAttributes edited = new PosixAttributes(FileKind.FILE, 9, 0, 0644, 1000, 1000);

        assertThatThrownBy(
                        () ->
                                policy.forUpsert(
                                        action, desired, edited, false, RecordedVersion.UNKNOWN))
                .isInstanceOf(SuppressRestartsException.class)
                .hasRootCauseInstanceOf(ImportConflictException.class)
                .rootCause()
                .hasMessageContaining("'x/y'")
                .hasMessageContaining("sync.conflict-mode=fail");
        assertThat(policy.forUpsert(action, desired, desired, false, RecordedVersion.UNKNOWN))
                .isEqualTo(UpsertVerdict.PREEXISTING);
    }
}
