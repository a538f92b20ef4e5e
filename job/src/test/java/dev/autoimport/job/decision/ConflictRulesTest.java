package dev.autoimport.job.decision;

import static dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion.OTHER;
import static dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion.SAME;
import static dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion.UNKNOWN;
import static dev.autoimport.job.ConflictMode.FAIL;
import static dev.autoimport.job.ConflictMode.OVERWRITE_ALWAYS;
import static dev.autoimport.job.ConflictMode.OVERWRITE_IF_DIRTY;
import static dev.autoimport.job.ConflictMode.SKIP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.connector.lustre.SyncPolicy.DeleteVerdict;
import dev.autoimport.job.ConflictMode;
import dev.autoimport.job.decision.ConflictRules.UpsertVerdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tables of SPEC section 4, row by row and mode by mode. */
class ConflictRulesTest {

    private static final PosixAttributes BLOB =
            new PosixAttributes(FileKind.FILE, 10, 1_700_000_000_000L, 0644, 1000, 1000);
    private static final PosixAttributes OTHER_CONTENT =
            new PosixAttributes(FileKind.FILE, 11, 1_700_000_500_000L, 0644, 1000, 1000);
    private static final PosixAttributes A_DIRECTORY =
            new PosixAttributes(FileKind.DIRECTORY, 0, 0, 0755, 1000, 1000);

    @ParameterizedTest(name = "{0}: missing -> {1}")
    @CsvSource({
        "SKIP,IMPORT",
        "OVERWRITE_IF_DIRTY,IMPORT",
        "OVERWRITE_ALWAYS,IMPORT",
        "FAIL,IMPORT"
    })
    void missingPathIsImported(ConflictMode mode, UpsertVerdict expected) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, null, false, UNKNOWN)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: matches the blob -> {1}")
    @CsvSource({
        "SKIP,PREEXISTING",
        "OVERWRITE_IF_DIRTY,PREEXISTING",
        "OVERWRITE_ALWAYS,IMPORT",
        "FAIL,PREEXISTING"
    })
    void matchingPathIsPreexisting(ConflictMode mode, UpsertVerdict expected) {
        PosixAttributes same =
                new PosixAttributes(FileKind.FILE, 10, 1_700_000_000_400L, 0644, 1000, 1000);
        assertThat(ConflictRules.forUpsert(mode, BLOB, same, false, UNKNOWN)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: clean, blob changed -> IMPORT")
    @CsvSource({"SKIP", "OVERWRITE_IF_DIRTY", "OVERWRITE_ALWAYS", "FAIL"})
    void cleanPathOfAChangedBlobIsImported(ConflictMode mode) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, OTHER_CONTENT, true, OTHER))
                .isEqualTo(UpsertVerdict.IMPORT);
    }

    @ParameterizedTest(name = "{0}: dirty -> {1}")
    @CsvSource({
        "SKIP,KEEP_CONFLICT",
        "OVERWRITE_IF_DIRTY,REPLACE_CONFLICT",
        "OVERWRITE_ALWAYS,REPLACE_CONFLICT",
        "FAIL,FAIL"
    })
    void dirtyPathIsAConflict(ConflictMode mode, UpsertVerdict expected) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, OTHER_CONTENT, false, UNKNOWN))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: other kind -> {1}")
    @CsvSource({
        "SKIP,KEEP_CONFLICT",
        "OVERWRITE_IF_DIRTY,REPLACE_CONFLICT",
        "OVERWRITE_ALWAYS,REPLACE_CONFLICT",
        "FAIL,FAIL"
    })
    void otherKindIsAConflict(ConflictMode mode, UpsertVerdict expected) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, A_DIRECTORY, false, UNKNOWN))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: already imported version -> UP_TO_DATE")
    @CsvSource({"SKIP", "OVERWRITE_IF_DIRTY", "OVERWRITE_ALWAYS"})
    void ownImportOfTheSameVersionIsUpToDate(ConflictMode mode) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, BLOB, true, SAME))
                .isEqualTo(UpsertVerdict.UP_TO_DATE);
    }

    @ParameterizedTest(name = "delete, {0}, clean={1} -> {2}")
    @CsvSource({
        "SKIP,true,DELETE",
        "OVERWRITE_IF_DIRTY,true,DELETE",
        "OVERWRITE_ALWAYS,true,DELETE",
        "SKIP,false,KEEP_CONFLICT",
        "OVERWRITE_IF_DIRTY,false,DELETE_CONFLICT",
        "OVERWRITE_ALWAYS,false,DELETE_CONFLICT"
    })
    void deletions(ConflictMode mode, boolean clean, DeleteVerdict expected) {
        assertThat(ConflictRules.forDelete(mode, BLOB, clean)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "delete of a missing path, {0}")
    @CsvSource({"SKIP", "OVERWRITE_IF_DIRTY", "OVERWRITE_ALWAYS"})
    void deletingNothing(ConflictMode mode) {
        assertThat(ConflictRules.forDelete(mode, null, false)).isEqualTo(DeleteVerdict.NOTHING);
    }

    @ParameterizedTest(name = "{0}: own import of an older version that looks like the new one")
    @CsvSource({"SKIP", "OVERWRITE_IF_DIRTY", "OVERWRITE_ALWAYS", "FAIL"})
    void aSameSecondSameSizeRewriteOfAnImportedFileIsImported(ConflictMode mode) {
        assertThat(ConflictRules.forUpsert(mode, BLOB, BLOB, true, OTHER))
                .isEqualTo(UpsertVerdict.IMPORT);
    }

    @org.junit.jupiter.api.Test
    void modesAreSpelledAsInTheSpec() {
        assertThat(ConflictMode.parse("overwrite-if-dirty")).isEqualTo(OVERWRITE_IF_DIRTY);
        assertThat(ConflictMode.parse("Skip")).isEqualTo(SKIP);
        assertThat(ConflictMode.parse("overwrite-always")).isEqualTo(OVERWRITE_ALWAYS);
        assertThat(ConflictMode.parse("fail")).isEqualTo(FAIL);
    }
}
