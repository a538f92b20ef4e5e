package dev.autoimport.job.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.job.EntryDefaults;
import dev.autoimport.job.ImportRecord;
import dev.autoimport.job.decision.PathDecisions.Decision;
import dev.autoimport.job.decision.PathDecisions.RecordChange;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decision from what is known, without Azure or a file system: walk records and feed events,
 * known, stale, replayed and out-of-order versions, deletions. What needs the path as it is (the
 * tables of SPEC section 4) is the sink's, with {@link ConflictRules} ({@code ConflictRulesTest}).
 */
class PathDecisionsTest {

    private static final EntryDefaults DEFAULTS = new EntryDefaults(1000, 1000, false, false);
    private static final long T = 1_800_000_000_000L;

    private final PathDecisions withDeletions = new PathDecisions(true, DEFAULTS);
    private final PathDecisions withoutDeletions = new PathDecisions(false, DEFAULTS);

    @Test
    void aListedBlobGoesToTheSinkWithItsEntryAndBecomesTheRecord() {
        Decision d = withDeletions.decide(listed("a/b.txt", "e1", T, 5, Map.of()), null);

        LustreAction a = d.action();
        assertThat(a.operation).isEqualTo(Operation.SYNC);
        assertThat(a.path).isEqualTo("a/b.txt");
        assertThat(a.etag).isEqualTo("e1");
        assertThat(a.metadata).isEmpty();
        assertThat(a.attributes.kind).isEqualTo(FileKind.FILE);
        assertThat(a.attributes.mode).isEqualTo(0644);
        assertThat(a.importNewerVersion).as("the walk imports what is there now").isTrue();
        assertThat(a.recordedEtag).isNull();
        assertThat(d.change()).isEqualTo(RecordChange.UPDATE);
        assertThat(d.record().etag).isEqualTo("e1");
        assertThat(d.record().imported.sameAs(a.attributes)).isTrue();
        assertThat(d.record().previous).isNull();
    }

    @Test
    void aRelistedBlobCarriesTheRecordForTheSinksCleanCheck() {
        PosixAttributes imported = file(5, T);
        ImportRecord record = new ImportRecord("e1", T, null, imported, null);

        Decision d = withDeletions.decide(listed("a", "e2", T + 5000, 7, Map.of()), record);

        assertThat(d.action().recordedEtag).isEqualTo("e1");
        assertThat(d.action().recorded.sameAs(imported)).isTrue();
        assertThat(d.record().previous.sameAs(imported))
                .as("if the new import does not land, the path still looks like the last one")
                .isTrue();
    }

    @Test
    void aBlobThatCannotBeAnEntryIsAnErrorAndLeavesTheRecord() {
        Decision d = withDeletions.decide(listed("link", "e1", T, 0, Map.of("ftype", "LNK")), null);

        assertThat(d.action().operation).isEqualTo(Operation.NONE);
        assertThat(d.action().report).isEqualTo(Report.ERROR);
        assertThat(d.action().error).contains("target");
        assertThat(d.change()).isEqualTo(RecordChange.KEEP);
    }

    @Test
    void aHostileNameIsAnErrorBeforeAnything() {
        for (String name : new String[] {"a/../b", "./x", "a//b", "x/" + "n".repeat(256)}) {
            Decision d = withDeletions.decide(listed(name, "e1", T, 1, Map.of()), null);
            assertThat(d.action().report).as(name).isEqualTo(Report.ERROR);
            assertThat(d.change()).isEqualTo(RecordChange.KEEP);
        }
        Decision deletion = withDeletions.decide(deleted("../etc/passwd", "0002", T), null);
        assertThat(deletion.action().report).isEqualTo(Report.ERROR);
    }

    @Test
    void aFeedEventForTheVersionOnRecordCostsNothing() {
        ImportRecord record = new ImportRecord("e1", T, "0001", file(5, T), null);

        Decision d = withDeletions.decide(created("a", "e1", "0001", T), record);

        assertThat(d.action().operation).isEqualTo(Operation.NONE);
        assertThat(d.action().report).isEqualTo(Report.UP_TO_DATE);
        assertThat(d.change()).isEqualTo(RecordChange.KEEP);
    }

    @Test
    void aFeedEventOfANewVersionIsDownloadedByTheSinkWhichLearnsItsMetadata() {
        ImportRecord record = new ImportRecord("e1", T, "0001", file(5, T), null);

        Decision d = withDeletions.decide(created("a", "e2", "0002", T + 10_000), record);

        LustreAction a = d.action();
        assertThat(a.operation).isEqualTo(Operation.SYNC);
        assertThat(a.etag).isEqualTo("e2");
        assertThat(a.metadata).as("unknown: taken from the download's answer").isNull();
        assertThat(a.attributes).isNull();
        assertThat(a.importNewerVersion)
                .as("a newer version than the event's has its own event")
                .isFalse();
        assertThat(d.change()).isEqualTo(RecordChange.UPDATE);
        assertThat(d.record().etag).isEqualTo("e2");
        assertThat(d.record().sequencer).isEqualTo("0002");
        assertThat(d.record().imported).as("known only to the sink (import marker)").isNull();
        assertThat(d.record().previous.sameAs(file(5, T))).isTrue();
    }

    @Test
    void aStaleEventNeverRollsBack() {
        ImportRecord bySequencer = new ImportRecord("e3", T, "0003", file(5, T), null);
        Decision older = withDeletions.decide(created("a", "e2", "0002", T + 60_000), bySequencer);
        assertThat(older.action().report).isEqualTo(Report.IGNORED);
        assertThat(older.change()).isEqualTo(RecordChange.KEEP);

        // A sequencer compares by length first: "0010" is newer than "009".
        ImportRecord longer = new ImportRecord("e3", T, "0010", file(5, T), null);
        assertThat(withDeletions.decide(created("a", "e2", "009", T), longer).action().report)
                .isEqualTo(Report.IGNORED);

        ImportRecord fromTheWalk = new ImportRecord("e3", T, null, file(5, T), null);
        Decision beforeTheWalksVersion =
                withDeletions.decide(created("a", "e2", "0002", T - 1), fromTheWalk);
        assertThat(beforeTheWalksVersion.action().report).isEqualTo(Report.IGNORED);
    }

    @Test
    void anEventInTheSameSecondAsTheWalksVersionIsLeftToTheSinkWithoutMovingTheRecord() {
        ImportRecord fromTheWalk = new ImportRecord("e3", T, null, file(5, T), null);

        Decision d = withDeletions.decide(created("a", "e2", "0002", T + 400), fromTheWalk);

        assertThat(d.action().operation).isEqualTo(Operation.SYNC);
        assertThat(d.action().recordedEtag).isEqualTo("e3");
        assertThat(d.change())
                .as("perhaps older: a replay must not make the record forget the walk's version")
                .isEqualTo(RecordChange.KEEP);
    }

    @Test
    void eventsReplayedInOrderEndOnTheNewestVersion() {
        ImportRecord record = null;
        String[][] events = {{"e1", "0001"}, {"e2", "0002"}, {"e3", "0003"}};
        for (String[] e : events) {
            record = apply(withDeletions.decide(created("a", e[0], e[1], T), record), record);
        }
        assertThat(record.etag).isEqualTo("e3");
        // The same events once more, after a restore: nothing goes back.
        for (String[] e : events) {
            Decision d = withDeletions.decide(created("a", e[0], e[1], T), record);
            assertThat(d.action().operation).isEqualTo(Operation.NONE);
            record = apply(d, record);
        }
        assertThat(record.etag).isEqualTo("e3");
    }

    @Test
    void deletionsWaitForTheSettingAndCostNothingWhenOff() {
        ImportRecord record = new ImportRecord("e1", T, "0001", file(5, T), null);

        Decision d = withoutDeletions.decide(deleted("a", "0002", T + 5000), record);

        assertThat(d.action()).isNull();
        assertThat(d.change()).isEqualTo(RecordChange.KEEP);
    }

    @Test
    void aDeletionAfterTheImportGoesToTheSinkWithTheRecord() {
        ImportRecord record = new ImportRecord("e1", T, "0001", file(5, T), file(4, T - 9000));

        Decision d = withDeletions.decide(deleted("a", "0002", T + 5000), record);

        LustreAction a = d.action();
        assertThat(a.operation).isEqualTo(Operation.REMOVE);
        assertThat(a.confirmGone).as("the sequencer orders it: no request").isFalse();
        assertThat(a.recorded.sameAs(file(5, T))).isTrue();
        assertThat(a.recordedPrevious.sameAs(file(4, T - 9000))).isTrue();
        assertThat(d.change()).isEqualTo(RecordChange.CLEAR);
    }

    @Test
    void aDeletionOlderThanTheImportIsIgnored() {
        ImportRecord bySequencer = new ImportRecord("e2", T, "0005", file(5, T), null);
        assertThat(withDeletions.decide(deleted("a", "0004", T), bySequencer).action().report)
                .isEqualTo(Report.IGNORED);

        ImportRecord fromTheWalk = new ImportRecord("e2", T, null, file(5, T), null);
        Decision d = withDeletions.decide(deleted("a", "0004", T - 1), fromTheWalk);
        assertThat(d.action().report).isEqualTo(Report.IGNORED);
        assertThat(d.change()).isEqualTo(RecordChange.KEEP);
    }

    @Test
    void aDeletionNothingOrdersAsksTheServiceThroughTheSink() {
        ImportRecord fromTheWalk = new ImportRecord("e2", T, null, file(5, T), null);
        Decision sameSecond = withDeletions.decide(deleted("a", "0004", T + 300), fromTheWalk);
        assertThat(sameSecond.action())
                .satisfies(a -> assertThat(a.confirmGone).as("same second").isTrue());
        assertThat(sameSecond.change())
                .as("the blob may be back and the file stay: the record still names it")
                .isEqualTo(RecordChange.KEEP);
        assertThat(withDeletions.decide(created("a", "e3", "0005", T + 400), fromTheWalk).action())
                .as("re-created in the same second: the sink compares with the walk's import")
                .satisfies(a -> assertThat(a.recordedEtag).isEqualTo("e2"));
        assertThat(withDeletions.decide(deleted("a", "0004", T), null).action())
                .satisfies(a -> assertThat(a.confirmGone).as("nothing on record").isTrue());
        assertThat(withDeletions.decide(deleted("a", "0004", T + 1000), fromTheWalk).action())
                .satisfies(a -> assertThat(a.confirmGone).as("a second later").isFalse());
    }

    @Test
    void aDirectoryMarkerNameIsTheDirectory() {
        Decision d = withDeletions.decide(listed("data/", "e1", T, 0, Map.of()), null);
        assertThat(d.action().path).isEqualTo("data");
        assertThat(d.action().attributes.kind).isEqualTo(FileKind.DIRECTORY);
        assertThat(d.action().attributes.mode).isEqualTo(0755);
    }

    @Test
    void phasesFollowTheSource() {
        assertThat(withDeletions.decide(listed("a", "e1", T, 1, Map.of()), null).action().phase)
                .isEqualTo("fullSync");
        assertThat(withDeletions.decide(created("a", "e1", "1", T), null).action().phase)
                .isEqualTo("blobSync");
    }

    private static ImportRecord apply(Decision d, ImportRecord record) {
        switch (d.change()) {
            case UPDATE:
                return d.record();
            case CLEAR:
                return null;
            default:
                return record;
        }
    }

    private static PosixAttributes file(long size, long mtime) {
        return new PosixAttributes(FileKind.FILE, size, mtime, 0644, 1000, 1000);
    }

    private static BlobChange listed(
            String name, String etag, long lastModified, long size, Map<String, String> meta) {
        return BlobChange.listed(name, etag, lastModified, size, meta, lastModified);
    }

    private static BlobChange created(String name, String etag, String sequencer, long time) {
        BlobChange c = new BlobChange();
        c.blobName = name;
        c.type = BlobChange.Type.UPSERT;
        c.origin = BlobChange.Origin.CHANGE_FEED;
        c.etag = etag;
        c.contentLength = 5;
        c.sequencer = sequencer;
        c.eventTimeMillis = time;
        return c;
    }

    private static BlobChange deleted(String name, String sequencer, long time) {
        BlobChange c = created(name, null, sequencer, time);
        c.type = BlobChange.Type.DELETE;
        c.contentLength = -1;
        return c;
    }
}
