package dev.autoimport.connector.lustre;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SYNC and REMOVE through a real writer on a real directory: the path is inspected where the action
 * is carried out, a change whose metadata is unknown learns it from its own download, and what the
 * policy rules is carried out.
 */
class PathSynchronizerTest extends SinkWriterTestBase {

    private final VersionedBlobs service = new VersionedBlobs();

    @Test
    void anEventsBlobIsDownloadedOnceAndItsMetadataComesFromTheAnswer() throws Exception {
        service.put("data/a.txt", "e1", "hello", Map.of("mode", "0600"));

        apply(open(), event("data/a.txt", "e1"));

        assertThat(Files.readString(rootPath.resolve("data/a.txt"))).isEqualTo("hello");
        assertThat(mode(rootPath.resolve("data/a.txt"))).isEqualTo(0600);
        assertThat(service.requests.get()).as("one request, no properties first").isEqualTo(1);
        LustreAction done = listener.successes.get(0);
        assertThat(done.operation).isEqualTo(Operation.WRITE_FILE);
        assertThat(done.report).isEqualTo(Report.APPLY);
        assertThat(done.attributes.size).isEqualTo(5);
    }

    @Test
    void anEventForAVersionThatMovedOnDoesNothingItsSuccessorsEventImportsIt() throws Exception {
        service.put("a", "e2", "newer", Map.of());

        apply(open(), event("a", "e1"));

        assertThat(rootPath.resolve("a")).doesNotExist();
        assertThat(listener.successes.get(0).report).isEqualTo(Report.IGNORED);
    }

    @Test
    void aListedBlobChangedBeforeItsDownloadIsImportedAtItsCurrentVersion() throws Exception {
        service.put("a", "e2", "newer", Map.of());

        apply(open(), listed("a", "e1", 3));

        assertThat(Files.readString(rootPath.resolve("a"))).isEqualTo("newer");
        LustreAction done = listener.successes.get(0);
        assertThat(done.etag).isEqualTo("e2");
        assertThat(done.report).isEqualTo(Report.APPLY);
        assertThat(listener.failures).isEmpty();
    }

    @Test
    void aBlobGoneBeforeItsEventIsDownloadedIsLeftToItsDeletion() throws Exception {
        apply(open(), event("gone", "e1"));

        assertThat(rootPath.resolve("gone")).doesNotExist();
        assertThat(listener.successes.get(0).report).isEqualTo(Report.IGNORED);
        assertThat(listener.failures).isEmpty();
    }

    @Test
    void aDirtyPathIsKeptAndCostsNoDownload() throws Exception {
        service.put("a", "e1", "abc", Map.of());
        Files.writeString(rootPath.resolve("a"), "edited in Lustre");

        apply(open(), listed("a", "e1", 3));

        assertThat(Files.readString(rootPath.resolve("a"))).isEqualTo("edited in Lustre");
        assertThat(listener.successes.get(0).report).isEqualTo(Report.CONFLICT_KEPT);
        assertThat(service.requests.get()).isZero();
    }

    @Test
    void theImportOnRecordThatDidNotLandIsImportedAgain() throws Exception {
        service.put("a", "e1", "abc", Map.of());
        Files.writeString(rootPath.resolve("a"), "old");
        LustreAction relisted = listed("a", "e1", 3);
        relisted.recordedEtag = "e1";
        relisted.recorded = relisted.attributes.copy();
        relisted.recordedPrevious = NamespaceInspector.lstat(rootPath.resolve("a"), "a").get();

        apply(open(), relisted);

        assertThat(Files.readString(rootPath.resolve("a"))).isEqualTo("abc");
    }

    @Test
    void aDeletionNothingOrdersLeavesTheFileWhileTheBlobExists() throws Exception {
        service.put("a", "e1", "abc", Map.of());
        LustreSinkWriter writer = open();
        apply(writer, listed("a", "e1", 3));

        apply(writer, remove("a", true));
        assertThat(rootPath.resolve("a")).exists();
        assertThat(listener.successes.get(1).report).isEqualTo(Report.IGNORED);

        service.delete("a");
        apply(writer, remove("a", true));
        assertThat(rootPath.resolve("a")).doesNotExist();
        LustreAction done = listener.successes.get(2);
        assertThat(done.operation).isEqualTo(Operation.DELETE);
        assertThat(done.report).isEqualTo(Report.APPLY);
    }

    @Test
    void aPassingFailureOfTheServiceIsTriedAgainBeforeItCounts() throws Exception {
        service.put("a", "e1", "abc", Map.of());
        service.failNext.set(2);

        apply(open(), event("a", "e1"));

        assertThat(Files.readString(rootPath.resolve("a"))).isEqualTo("abc");
        assertThat(listener.failures).isEmpty();
        assertThat(service.requests.get()).isEqualTo(3);
    }

    private LustreSinkWriter open() throws IOException {
        return openWriter(
                LustreSink.builder()
                        .setRoot(rootPath.toString())
                        .setContentSource(service)
                        .setListenerFactory(listener.factory())
                        .setPolicy(new TestPolicy())
                        .build(),
                0,
                1);
    }

    private static LustreAction event(String name, String etag) {
        return LustreAction.of(Operation.SYNC, name, name, etag, null, "blobSync", Report.APPLY);
    }

    private static LustreAction listed(String name, String etag, long size) {
        LustreAction a =
                LustreAction.of(
                        Operation.SYNC,
                        name,
                        name,
                        etag,
                        TestActions.attributes(FileKind.FILE, size, 0644),
                        "fullSync",
                        Report.APPLY);
        a.metadata = Map.of();
        a.size = size;
        a.lastModifiedMillis = TestActions.MTIME;
        a.importNewerVersion = true;
        return a;
    }

    private static LustreAction remove(String name, boolean confirmGone) {
        LustreAction a =
                LustreAction.of(Operation.REMOVE, name, name, null, null, "blobSync", Report.APPLY);
        a.confirmGone = confirmGone;
        return a;
    }

    /** A small policy: the tables' skip mode for files, modes from a "mode" key. */
    private static final class TestPolicy implements SyncPolicy {
        private static final long serialVersionUID = 1L;

        @Override
        public PlannedEntry entryOf(BlobVersion blob) {
            int mode = Integer.parseInt(blob.metadata().getOrDefault("mode", "0644"), 8);
            PosixAttributes a = TestActions.attributes(FileKind.FILE, blob.size(), mode);
            a.mtimeMillis = blob.lastModifiedMillis();
            return new PlannedEntry(a, java.util.List.of());
        }

        @Override
        public UpsertVerdict forUpsert(
                LustreAction action,
                PosixAttributes desired,
                PosixAttributes observed,
                boolean clean,
                RecordedVersion onRecord) {
            if (observed == null || clean && onRecord == RecordedVersion.OTHER) {
                return UpsertVerdict.IMPORT;
            }
            if (clean && onRecord == RecordedVersion.SAME) {
                return UpsertVerdict.UP_TO_DATE;
            }
            return observed.sameAs(desired)
                    ? UpsertVerdict.PREEXISTING
                    : UpsertVerdict.KEEP_CONFLICT;
        }

        @Override
        public DeleteVerdict forDelete(
                LustreAction action, PosixAttributes observed, boolean clean) {
            return clean ? DeleteVerdict.DELETE : DeleteVerdict.KEEP_CONFLICT;
        }

        @Override
        public PosixAttributes implicitDirectory() {
            return TestActions.attributes(FileKind.DIRECTORY, 0, 0755);
        }
    }

    /** The blob service's current versions, in memory; counts downloads and properties requests. */
    static final class VersionedBlobs implements ContentSource {
        private static final long serialVersionUID = 1L;

        private record Blob(String etag, byte[] content, Map<String, String> metadata) {}

        private final Map<String, Blob> blobs = new ConcurrentHashMap<>();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger failNext = new AtomicInteger();

        void put(String name, String etag, String content, Map<String, String> metadata) {
            blobs.put(name, new Blob(etag, content.getBytes(UTF_8), metadata));
        }

        void delete(String name) {
            blobs.remove(name);
        }

        @Override
        public Reader open() {
            return new Reader() {
                @Override
                public void copyTo(String blobName, String etag, OutputStream out)
                        throws IOException {
                    try (Download d = open(blobName, etag)) {
                        d.copyTo(out);
                    }
                }

                @Override
                public Download open(String blobName, String etag) throws IOException {
                    requests.incrementAndGet();
                    if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new TransientSourceException("503 ServerBusy", null);
                    }
                    Blob b = blobs.get(blobName);
                    if (b == null) {
                        throw new BlobGoneException(blobName + " is gone", null);
                    }
                    if (etag != null && !etag.equals(b.etag())) {
                        throw new BlobChangedException(blobName + " moved on", null);
                    }
                    BlobVersion version =
                            new BlobVersion(
                                    blobName,
                                    b.etag(),
                                    TestActions.MTIME,
                                    b.content().length,
                                    b.metadata());
                    return new Download() {
                        @Override
                        public BlobVersion version() {
                            return version;
                        }

                        @Override
                        public void copyTo(OutputStream out) throws IOException {
                            out.write(b.content());
                        }

                        @Override
                        public void close() {}
                    };
                }

                @Override
                public Optional<BlobVersion> currentVersion(String blobName) {
                    requests.incrementAndGet();
                    Blob b = blobs.get(blobName);
                    return b == null
                            ? Optional.empty()
                            : Optional.of(
                                    new BlobVersion(
                                            blobName,
                                            b.etag(),
                                            TestActions.MTIME,
                                            b.content().length,
                                            b.metadata()));
                }
            };
        }
    }
}
