package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.MTIME;
import static dev.autoimport.connector.lustre.TestActions.delete;
import static dev.autoimport.connector.lustre.TestActions.makeDirectory;
import static dev.autoimport.connector.lustre.TestActions.makeSymlink;
import static dev.autoimport.connector.lustre.TestActions.none;
import static dev.autoimport.connector.lustre.TestActions.ownedBy;
import static dev.autoimport.connector.lustre.TestActions.replacing;
import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What each operation does to the tree: entries, attributes, replacement rules, confinement. */
class LustreSinkWriterTest extends SinkWriterTestBase {

    private static final int UID = 1234;
    private static final int GID = 2345;

    @Test
    void writesAFileWithItsContentModeAndTime() throws Exception {
        blobs.put("data/2024/report.csv", "e1", "a,b\n1,2\n");
        LustreSinkWriter writer = openWriter();

        apply(writer, writeFile("data/2024/report.csv", "e1", 8, 0640));

        Path file = rootPath.resolve("data/2024/report.csv");
        assertThat(file).hasContent("a,b\n1,2\n");
        Map<String, Object> unix = lstat(file);
        assertThat((Integer) unix.get("mode") & 07777).isEqualTo(0640);
        assertThat(((FileTime) unix.get("lastModifiedTime")).toMillis()).isEqualTo(MTIME);
        assertThat(unix.get("uid")).isEqualTo(NamespaceInspector.currentUid());
        assertThat(mode(rootPath.resolve("data"))).as("created parent").isEqualTo(0755);
        assertThat(listener.successes)
                .extracting(a -> a.path)
                .containsExactly("data/2024/report.csv");
        assertThat(listener.failures).isEmpty();
        assertNoStagedEntries();
    }

    @Test
    void setsOwnerGroupAndEveryModeBitItIsGiven() throws Exception {
        assumeThat(NamespaceInspector.currentUid()).as("chown to others needs root").isZero();
        blobs.put("bin/tool", "e1", "#!/bin/sh\n");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                ownedBy(writeFile("bin/tool", "e1", 10, 06755), UID, GID),
                ownedBy(makeDirectory("scratch", 01777), UID, GID));

        Map<String, Object> file = lstat(rootPath.resolve("bin/tool"));
        assertThat((Integer) file.get("mode") & 07777)
                .as("set-ID bits survive the chown because chmod comes after it")
                .isEqualTo(06755);
        assertThat(file.get("uid")).isEqualTo(UID);
        assertThat(file.get("gid")).isEqualTo(GID);
        Map<String, Object> dir = lstat(rootPath.resolve("scratch"));
        assertThat((Integer) dir.get("mode") & 07777).isEqualTo(01777);
        assertThat(dir.get("uid")).isEqualTo(UID);
        assertThat(((FileTime) dir.get("lastModifiedTime")).toMillis()).isEqualTo(MTIME);
    }

    @Test
    void writesEmptyFiles() throws Exception {
        blobs.put("empty", "e1", new byte[0]);
        apply(openWriter(), writeFile("empty", "e1", 0, 0600));

        assertThat(rootPath.resolve("empty")).isEmptyFile();
        assertThat(mode(rootPath.resolve("empty"))).isEqualTo(0600);
    }

    @Test
    void makesADirectoryAndUpdatesAnExistingOneInPlace() throws Exception {
        Files.createDirectories(rootPath.resolve("projects/alpha"));
        Files.writeString(rootPath.resolve("projects/alpha/keep.txt"), "keep");
        Files.setAttribute(rootPath.resolve("projects/alpha"), "unix:mode", 0700);
        LustreSinkWriter writer = openWriter();

        apply(writer, makeDirectory("projects/alpha", 02750), makeDirectory("projects/beta", 0711));

        Path alpha = rootPath.resolve("projects/alpha");
        assertThat(mode(alpha)).isEqualTo(02750);
        assertThat(((FileTime) lstat(alpha).get("lastModifiedTime")).toMillis()).isEqualTo(MTIME);
        assertThat(alpha.resolve("keep.txt")).hasContent("keep");
        assertThat(mode(rootPath.resolve("projects/beta"))).isEqualTo(0711);
        assertThat(listener.successes).hasSize(2);
    }

    @Test
    void makesASymbolicLinkWithItsOwnerAndTime() throws Exception {
        String target = "../elsewhere/ü";
        blobs.put("links/here", "e1", target);
        LustreSinkWriter writer = openWriter();
        LustreAction link = makeSymlink("links/here", "e1", target);
        if (NamespaceInspector.currentUid() == 0) {
            ownedBy(link, UID, GID);
        }

        apply(writer, link);

        Path path = rootPath.resolve("links/here");
        assertThat(Files.isSymbolicLink(path)).isTrue();
        assertThat(Files.readSymbolicLink(path)).hasToString(target);
        Map<String, Object> unix = lstat(path);
        assertThat(unix.get("uid")).isEqualTo(link.attributes.uid);
        assertThat(unix.get("gid")).isEqualTo(link.attributes.gid);
        assertThat(((FileTime) unix.get("lastModifiedTime")).toMillis()).isEqualTo(MTIME);
        assertThat(unix.get("size")).isEqualTo(15L);
        assertNoStagedEntries();
    }

    @Test
    void linkTargetsUpToTheKernelsLimitAreStored() throws Exception {
        String longest = "t/".repeat(2047) + "x";
        assertThat(longest).hasSize(ActionApplier.MAX_LINK_TARGET_BYTES);
        String tooLong = longest + "y";
        blobs.put("longest", "e1", longest).put("too-long", "e1", tooLong);
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                makeSymlink("longest", "e1", longest),
                makeSymlink("too-long", "e1", tooLong));

        assertThat(Files.readSymbolicLink(rootPath.resolve("longest"))).hasToString(longest);
        RecordingListener.Failure failure = listener.onlyFailure();
        assertThat(failure.error())
                .isInstanceOf(InvalidLinkTargetException.class)
                .hasMessageContaining("longer than 4095 bytes");
        assertThat(rootPath.resolve("too-long")).doesNotExist();
        assertNoStagedEntries();
    }

    @Test
    void refusesLinkTargetsThatCannotBeStoredExactly() throws Exception {
        blobs.put("empty", "e1", "")
                .put("slashes", "e1", "a//b/")
                .put("latin1", "e1", new byte[] {(byte) 0xE9});
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                makeSymlink("empty", "e1", ""),
                makeSymlink("slashes", "e1", "a//b/"),
                makeSymlink("latin1", "e1", "x"));

        assertThat(listener.failures)
                .extracting(f -> f.error().getMessage())
                .containsExactlyInAnyOrder(
                        "link blob 'empty': the target is empty",
                        "link blob 'slashes': the target 'a//b/' has repeated or trailing '/',"
                                + " which cannot be stored exactly",
                        "link blob 'latin1': the target is not UTF-8");
        assertThat(rootEntries()).isEmpty();
        assertNoStagedEntries();
    }

    @Test
    void replacesAFileAtomicallySoThatReadersSeeOldOrNewContentOnly() throws Exception {
        int size = 256 * 1024;
        byte[] a = new byte[size];
        byte[] b = new byte[size];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'b');
        blobs.put("hot/file", "a", a).put("hot/file", "b", b);
        LustreSinkWriter writer = openWriter();
        apply(writer, writeFile("hot/file", "a", size, 0644));
        Path file = rootPath.resolve("hot/file");

        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<List<String>> reader =
                CompletableFuture.supplyAsync(() -> readWhile(writing, file, size));
        try (InputStream heldOpen = Files.newInputStream(file)) {
            for (int i = 0; i < 100; i++) {
                apply(writer, writeFile("hot/file", i % 2 == 0 ? "b" : "a", size, 0644));
            }
            assertThat(heldOpen.readAllBytes())
                    .as("a reader of the old file keeps the old content")
                    .isEqualTo(a);
        } finally {
            writing.set(false);
        }

        assertThat(reader.get()).as("torn or partial reads").isEmpty();
        assertThat(file).hasBinaryContent(a);
        try (var entries = Files.list(rootPath.resolve("hot"))) {
            assertThat(entries).containsExactly(file);
        }
    }

    private static List<String> readWhile(AtomicBoolean writing, Path file, int size) {
        List<String> badReads = new ArrayList<>();
        int reads = 0;
        while (writing.get() || reads == 0) {
            try {
                byte[] content = Files.readAllBytes(file);
                reads++;
                boolean uniform = content.length == size;
                for (int i = 1; uniform && i < content.length; i++) {
                    uniform = content[i] == content[0];
                }
                if (!uniform) {
                    badReads.add("read " + content.length + " mixed or short bytes");
                }
            } catch (java.io.IOException e) {
                badReads.add(e.toString());
            }
        }
        return badReads;
    }

    @Test
    void replacesEntriesOfAnotherKindOnlyWhenAllowed() throws Exception {
        Files.createSymbolicLink(rootPath.resolve("was-link"), Path.of("somewhere"));
        Files.createDirectory(rootPath.resolve("was-empty-dir"));
        Files.writeString(rootPath.resolve("was-file"), "old");
        Files.writeString(rootPath.resolve("was-file-2"), "old");
        blobs.put("was-link", "e1", "new")
                .put("was-empty-dir", "e1", "new")
                .put("was-file", "e1", "t");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                writeFile("was-link", "e1", "new"),
                writeFile("was-empty-dir", "e1", "new"),
                makeSymlink("was-file", "e1", "t"),
                makeDirectory("was-file-2", 0755));

        assertThat(listener.successes).isEmpty();
        assertThat(listener.failures)
                .extracting(f -> f.error().getMessage())
                .containsExactlyInAnyOrder(
                        "'was-link': is a symbolic link; not replacing it",
                        "'was-empty-dir': is a directory; not replacing it",
                        "'was-file': is a file; not replacing it",
                        "'was-file-2': is a file; not replacing it");
        assertThat(listener.failures)
                .allSatisfy(f -> assertThat(f.error()).isInstanceOf(PathConflictException.class));
        assertThat(Files.isSymbolicLink(rootPath.resolve("was-link"))).isTrue();
        assertThat(rootPath.resolve("was-empty-dir")).isEmptyDirectory();
        assertThat(rootPath.resolve("was-file")).hasContent("old");
        assertNoStagedEntries();

        listener.failures.clear();
        apply(
                writer,
                replacing(writeFile("was-link", "e1", "new")),
                replacing(writeFile("was-empty-dir", "e1", "new")),
                replacing(makeSymlink("was-file", "e1", "t")),
                replacing(makeDirectory("was-file-2", 0750)));

        assertThat(listener.failures).isEmpty();
        assertThat(rootPath.resolve("was-link")).isRegularFile().hasContent("new");
        assertThat(rootPath.resolve("was-empty-dir")).isRegularFile().hasContent("new");
        assertThat(Files.readSymbolicLink(rootPath.resolve("was-file"))).hasToString("t");
        assertThat(rootPath.resolve("was-file-2")).isDirectory();
        assertThat(mode(rootPath.resolve("was-file-2"))).isEqualTo(0750);
    }

    @Test
    void replacesAFileOrLinkOfTheSameKindWithoutPermission() throws Exception {
        Files.writeString(rootPath.resolve("file"), "old");
        Files.createSymbolicLink(rootPath.resolve("link"), Path.of("old-target"));
        blobs.put("file", "e2", "new").put("link", "e2", "new-target");

        apply(
                openWriter(),
                writeFile("file", "e2", "new"),
                makeSymlink("link", "e2", "new-target"));

        assertThat(rootPath.resolve("file")).hasContent("new");
        assertThat(Files.readSymbolicLink(rootPath.resolve("link"))).hasToString("new-target");
    }

    @Test
    void neverRemovesANonEmptyDirectoryToMakeRoom() throws Exception {
        Files.createDirectories(rootPath.resolve("dir/child"));
        blobs.put("dir", "e1", "file").put("dir", "e2", "target");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                replacing(writeFile("dir", "e1", "file")),
                replacing(makeSymlink("dir", "e2", "target")));

        assertThat(listener.failures)
                .hasSize(2)
                .allSatisfy(
                        f ->
                                assertThat(f.error())
                                        .isInstanceOf(PathConflictException.class)
                                        .hasMessage(
                                                "'dir': is a non-empty directory; a non-empty"
                                                        + " directory is never removed"));
        assertThat(rootPath.resolve("dir/child")).isDirectory();
        assertNoStagedEntries();
    }

    @Test
    void deletesFilesLinksAndEmptyDirectoriesButKeepsNonEmptyOnes() throws Exception {
        Files.createDirectories(rootPath.resolve("d/empty"));
        Files.createDirectories(rootPath.resolve("d/full/child"));
        Files.writeString(rootPath.resolve("d/file"), "x");
        Path target = Files.writeString(rootPath.resolve("target"), "stays");
        Files.createSymbolicLink(rootPath.resolve("d/link"), target);
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                delete("d/file"),
                delete("d/link"),
                delete("d/empty"),
                delete("d/full"),
                delete("d/missing"),
                delete("no/such/parent"));

        assertThat(listener.failures).isEmpty();
        assertThat(listener.successes).hasSize(6);
        try (var entries = Files.list(rootPath.resolve("d"))) {
            assertThat(entries).containsExactly(rootPath.resolve("d/full"));
        }
        assertThat(target).hasContent("stays");
    }

    @Test
    void noneTouchesNothingAndIsReported() throws Exception {
        LustreSinkWriter writer = openWriter();
        LustreAction kept = none("kept/conflict");
        kept.report = LustreAction.Report.CONFLICT_KEPT;

        apply(writer, kept);

        assertThat(rootEntries()).isEmpty();
        assertThat(listener.successes)
                .singleElement()
                .satisfies(a -> assertThat(a.report).isEqualTo(LustreAction.Report.CONFLICT_KEPT));
    }

    @Test
    void aBlobThatMakesALinkToOutsideCannotLetAnotherBlobWriteThroughIt() throws Exception {
        Path victim = Files.createDirectory(temp.resolve("victim"));
        Files.writeString(victim.resolve("passwd"), "root:x:0:0");
        String linkTarget = outside.toString();
        blobs.put("a", "e1", linkTarget)
                .put("a/passwd", "e1", "owned")
                .put("b", "e1", victim.toString())
                .put("a/new/link", "e1", "x");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                makeSymlink("a", "e1", linkTarget),
                makeSymlink("b", "e1", victim.toString()));
        apply(
                writer,
                replacing(writeFile("a/passwd", "e1", "owned")),
                replacing(makeDirectory("a/sub", 0777)),
                replacing(makeSymlink("a/new/link", "e1", "x")),
                delete("b/passwd"),
                makeDirectory("b", 0777));

        assertThat(listener.successes).extracting(s -> s.path).containsExactlyInAnyOrder("a", "b");
        assertThat(listener.failures)
                .extracting(f -> f.error().getMessage())
                .containsExactlyInAnyOrder(
                        "'a/passwd': parent 'a' is a symbolic link; not following it",
                        "'a/sub': parent 'a' is a symbolic link; not following it",
                        "'a/new/link': parent 'a' is a symbolic link; not following it",
                        "'b/passwd': parent 'b' is a symbolic link; not following it",
                        "'b': is a symbolic link; not replacing it");
        assertThat(victim.resolve("passwd")).hasContent("root:x:0:0");
        assertThat(mode(victim)).isNotEqualTo(0777);
        assertThat(Files.isSymbolicLink(rootPath.resolve("b"))).isTrue();
        assertNoStagedEntries();
    }

    @Test
    void replacingAnEmptyDirectoryByALinkWhileAnotherActionWritesBelowItNeverEscapes()
            throws Exception {
        // Both actions run at once on different paths: whichever wins, the file ends inside the
        // root or is reported, never under the link's target.
        LustreSinkWriter writer = openWriter();
        for (int round = 0; round < 50; round++) {
            String dir = "race-" + round;
            blobs.put(dir, "e1", outside.toString()).put(dir + "/file", "e1", "data");
            apply(writer, makeDirectory(dir, 0755));
            writer.write(replacing(writeFile(dir + "/file", "e1", "data")));
            writer.write(replacing(makeSymlink(dir, "e1", outside.toString())));
            writer.flush();
        }
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void theSinkWorksOnItsOwnCopyOfEachAction() throws Exception {
        blobs.put("original", "e1", "x");
        LustreSinkWriter writer = openWriter();
        LustreAction action = writeFile("original", "e1", "x");

        writer.write(action);
        action.path = "changed-after-write";
        action.attributes.mode = 0777;
        writer.flush();

        assertThat(rootEntries()).containsExactly("original");
        assertThat(mode(rootPath.resolve("original"))).isEqualTo(0644);
    }

    @Test
    void syncingFilesWritesTheSameTree() throws Exception {
        blobs.put("synced", "e1", "durable");
        LustreSink sink =
                LustreSink.builder()
                        .setRoot(rootPath.toString())
                        .setContentSource(blobs)
                        .setSyncFiles(true)
                        .build();

        apply(openWriter(sink, 0, 1), writeFile("synced", "e1", "durable"));

        assertThat(rootPath.resolve("synced")).hasContent("durable");
        assertThat(
                        Files.readAttributes(
                                rootPath.resolve("synced"), "size", LinkOption.NOFOLLOW_LINKS))
                .containsEntry("size", (long) "durable".getBytes(StandardCharsets.UTF_8).length);
    }
}
