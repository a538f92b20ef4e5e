package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.delete;
import static dev.autoimport.connector.lustre.TestActions.makeDirectory;
import static dev.autoimport.connector.lustre.TestActions.makeSymlink;
import static dev.autoimport.connector.lustre.TestActions.replacing;
import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.autoimport.connector.lustre.LinkMarkers.Entry;
import dev.autoimport.connector.lustre.LinkMarkers.Imported;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The link marker store on a real directory: what the sink records for the links it imports, and
 * how the record tells those links from links changed in Lustre since.
 */
class LinkMarkersTest extends SinkWriterTestBase {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private LustreSinkWriter writer;

    @Test
    void aLinkTheSinkImportedIsRecognizedFromItsRecord() throws Exception {
        LustreAction link = importLink("links/l", "e1", "../target-1");

        assertThat(importedAttributes("links/l")).contains(link.attributes);
        Entry record = LinkMarkers.read(root(), "links/l").orElseThrow();
        assertThat(record.path()).isEqualTo("links/l");
        assertThat(record.last()).isEqualTo(new Imported("../target-1", link.attributes, "e1"));
        assertThat(record.previous()).isNull();
        assertThat(mode(rootPath.resolve(".auto-import/links")))
                .as("private to the job's user")
                .isEqualTo(0700);
        assertThat(mode(recordFile("links/l").getParent())).isEqualTo(0700);
    }

    @Test
    void aLinkRetargetedInLustreIsNotRecognizedEvenWithTheSameLengthOwnerAndTime()
            throws Exception {
        LustreAction link = importLink("l", "e1", "target-1");
        Path path = rootPath.resolve("l");
        Files.delete(path);
        Files.createSymbolicLink(path, Path.of("target-2"));
        setLinkTime(path, TestActions.MTIME);

        assertThat(inspector().inspect("l").orElseThrow().sameAs(link.attributes))
                .as("attributes alone cannot tell")
                .isTrue();
        assertThat(importedAttributes("l")).isEmpty();
    }

    @Test
    void aLinkReCreatedInLustreIsNotRecognized() throws Exception {
        importLink("l", "e1", "target-1");
        Path path = rootPath.resolve("l");
        Files.delete(path);
        Files.createSymbolicLink(path, Path.of("target-1"));

        assertThat(importedAttributes("l")).as("same target, but a new time").isEmpty();
    }

    @Test
    void aLinkChownedInLustreIsNotRecognized() throws Exception {
        assumeThat(NamespaceInspector.currentUid()).as("only root can chown").isZero();
        importLink("l", "e1", "target-1");
        Files.setAttribute(rootPath.resolve("l"), "unix:uid", 4321, NOFOLLOW);

        assertThat(importedAttributes("l")).isEmpty();
    }

    @Test
    void aLinkTheSinkRetargetedIsRecognizedAndItsRecordKeepsTheImportBefore() throws Exception {
        LustreAction first = importLink("l", "e1", "target-1");
        LustreAction second = importLink("l", "e2", "target-22");

        assertThat(importedAttributes("l")).contains(second.attributes);
        Entry record = LinkMarkers.read(root(), "l").orElseThrow();
        assertThat(record.last()).isEqualTo(new Imported("target-22", second.attributes, "e2"));
        assertThat(record.previous()).isEqualTo(new Imported("target-1", first.attributes, "e1"));
    }

    /** A crash after the record is written and before the link is renamed into place. */
    @Test
    void aRecordOfALinkNeverRenamedIntoPlaceStillRecognizesTheImportedLinkThere() throws Exception {
        LustreAction first = importLink("l", "e1", "target-1");
        PosixAttributes next = TestActions.attributes(FileKind.SYMLINK, "target-22".length(), 0777);
        next.mtimeMillis += 60_000;

        recordWithoutRename("l", new Imported("target-22", next, "e2"));

        assertThat(LinkMarkers.read(root(), "l").orElseThrow().last().target())
                .isEqualTo("target-22");
        assertThat(importedAttributes("l"))
                .as("the link still there is the first import")
                .contains(first.attributes);

        // The restart then carries out the import after all.
        Path path = rootPath.resolve("l");
        Files.delete(path);
        Files.createSymbolicLink(path, Path.of("target-22"));
        setLinkTime(path, next.mtimeMillis);
        assertThat(importedAttributes("l")).contains(next);
    }

    @Test
    void aRecordOfALinkNeverRenamedIntoPlaceDoesNotMakeALinkChangedInLustreClean()
            throws Exception {
        importLink("l", "e1", "target-1");
        Path path = rootPath.resolve("l");
        Files.delete(path);
        Files.createSymbolicLink(path, Path.of("mine"));

        recordWithoutRename(
                "l",
                new Imported(
                        "target-22",
                        TestActions.attributes(FileKind.SYMLINK, "target-22".length(), 0777),
                        "e2"));

        assertThat(LinkMarkers.read(root(), "l").orElseThrow().previous()).isNull();
        assertThat(importedAttributes("l")).isEmpty();
    }

    @Test
    void theRecordGoesWhenTheLinkIsDeletedOrReplacedByAnotherKind() throws Exception {
        blobs.put("f", "e2", "file");
        for (String path : List.of("gone", "f", "d")) {
            importLink(path, "e1", "target-" + path);
            assertThat(LinkMarkers.read(root(), path)).isPresent();
        }
        apply(
                writer(),
                delete("gone"),
                replacing(writeFile("f", "e2", "file")),
                replacing(makeDirectory("d", 0755)));

        assertThat(listener.failures).isEmpty();
        assertThat(rootPath.resolve("f")).isRegularFile();
        assertThat(rootPath.resolve("d")).isDirectory();
        for (String path : List.of("gone", "f", "d")) {
            assertThat(LinkMarkers.read(root(), path)).as(path).isEmpty();
        }
        assertThat(recordFiles()).isEmpty();
    }

    @Test
    void aRecordLeftBehindMakesNoFileOrDirectoryClean() throws Exception {
        LustreAction link = importLink("x", "e1", "target-x");
        Path path = rootPath.resolve("x");
        Files.delete(path);
        Files.writeString(path, "target-x");

        assertThat(LinkMarkers.read(root(), "x")).isPresent();
        assertThat(importedAttributes("x")).isEmpty();
        assertThat(LinkMarkers.importedAttributes(root(), "x"))
                .as("compared with what is there, not with the record alone")
                .isEmpty();
        // A link identical to the import is the import, as far as anyone can tell.
        Files.delete(path);
        Files.createSymbolicLink(path, Path.of("target-x"));
        setLinkTime(path, TestActions.MTIME);
        assertThat(importedAttributes("x")).contains(link.attributes);
    }

    @Test
    void aRecordOfAnotherPathUnderTheSameNameCountsForNothingAndIsNotRemoved() throws Exception {
        importLink("a", "e1", "same-target");
        Path ofA = recordFile("a");
        Path underB = recordFile("b");
        Files.createDirectories(underB.getParent());
        Files.copy(ofA, underB, StandardCopyOption.REPLACE_EXISTING);
        Files.createSymbolicLink(rootPath.resolve("b"), Path.of("same-target"));
        setLinkTime(rootPath.resolve("b"), TestActions.MTIME);

        assertThat(LinkMarkers.read(root(), "b")).isEmpty();
        assertThat(importedAttributes("b")).isEmpty();

        new LinkMarkers(root(), null).forget("b");
        assertThat(underB).as("it names 'a'").exists();
    }

    @Test
    void recordsSurviveTheCleanupOfTheStagingAreaAtStartAndClose() throws Exception {
        LustreAction link = importLink("l", "e1", "target-1");
        writer.close();
        assertThat(rootPath.resolve(".auto-import/staging")).doesNotExist();

        writer = openWriter();
        assertThat(importedAttributes("l")).contains(link.attributes);
        assertThat(recordFiles()).containsExactly(recordFile("l"));
    }

    @Test
    void pathsAndTargetsOfAnyCharactersRoundTrip() {
        PosixAttributes attributes = TestActions.attributes(FileKind.SYMLINK, 9, 0777);
        Entry entry =
                new Entry(
                        "dir with space/na\nme/é",
                        new Imported("../t a\nrget", attributes, "0x8DC"),
                        new Imported("x", attributes, null));

        assertThat(LinkMarkers.parse(new String(LinkMarkers.format(entry), StandardCharsets.UTF_8)))
                .contains(entry);
    }

    @Test
    void aDamagedOrForeignRecordCountsForNothing() {
        PosixAttributes attributes = TestActions.attributes(FileKind.SYMLINK, 1, 0777);
        String valid =
                new String(
                        LinkMarkers.format(
                                new Entry("p", new Imported("t", attributes, "e"), null)),
                        StandardCharsets.US_ASCII);

        assertThat(LinkMarkers.parse(valid)).isPresent();
        assertThat(LinkMarkers.parse(valid.substring(0, valid.length() - 1)))
                .as("truncated")
                .isEmpty();
        assertThat(LinkMarkers.parse(valid.replace("link-v1", "link-v2"))).isEmpty();
        assertThat(LinkMarkers.parse("")).isEmpty();
        assertThat(LinkMarkers.parse("link-v1\n!!!\nx y z\n")).isEmpty();
    }

    @Test
    void aDamagedRecordOnDiskCountsForNothingAndGoesWithItsLink() throws Exception {
        importLink("l", "e1", "target-1");
        Files.writeString(recordFile("l"), "link-v1\ncut sh");

        assertThat(importedAttributes("l")).isEmpty();

        apply(writer(), delete("l"));
        assertThat(recordFiles()).isEmpty();
    }

    @Test
    void aLinkPlantedInTheStoreIsNeverFollowed() throws Exception {
        LustreSinkWriter writer = writer();
        Files.createSymbolicLink(rootPath.resolve(".auto-import/links"), outside);
        blobs.put("l", "e1", "target-1");

        apply(writer, makeSymlink("l", "e1", "target-1"));

        assertThat(listener.onlyFailure().error())
                .hasMessageContaining(".auto-import/links is not a directory");
        assertThat(rootPath.resolve("l")).doesNotExist();
        assertThat(LinkMarkers.read(root(), "l")).isEmpty();
        assertNoStagedEntries();
    }

    // ---------------------------------------------------------------------------------------

    private LustreAction importLink(String path, String etag, String target) throws Exception {
        blobs.put(path, etag, target);
        LustreAction link = replacing(makeSymlink(path, etag, target));
        int failures = listener.failures.size();
        apply(writer(), link);
        assertThat(listener.failures).hasSize(failures);
        assertThat(Files.readSymbolicLink(rootPath.resolve(path))).hasToString(target);
        return link;
    }

    private LustreSinkWriter writer() throws IOException {
        if (writer == null) {
            writer = openWriter();
        }
        return writer;
    }

    /** What the sink does before the rename, without the rename. */
    private void recordWithoutRename(String path, Imported imported) throws IOException {
        LustreRoot root = root();
        try (StagingArea staging = StagingArea.open(root, 5, 6);
                ParentDirectory parent = root.openExistingParent(path).orElseThrow()) {
            new LinkMarkers(root, staging).record(path, imported, Optional.of(parent));
        }
    }

    private Optional<PosixAttributes> importedAttributes(String path) throws IOException {
        return inspector().importedAttributes(path);
    }

    private NamespaceInspector inspector() throws IOException {
        return new NamespaceInspector(root());
    }

    private LustreRoot root() throws IOException {
        return new LustreRoot(rootPath);
    }

    private Path recordFile(String path) {
        String name = LinkMarkers.recordName(path);
        return rootPath.resolve(".auto-import/links").resolve(name.substring(0, 2)).resolve(name);
    }

    private List<Path> recordFiles() throws IOException {
        try (Stream<Path> s = Files.walk(rootPath.resolve(".auto-import/links"))) {
            return s.filter(p -> Files.isRegularFile(p, NOFOLLOW)).toList();
        }
    }

    private static void setLinkTime(Path link, long millis) throws IOException {
        Files.getFileAttributeView(link, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(FileTime.fromMillis(millis), null, null);
    }
}
