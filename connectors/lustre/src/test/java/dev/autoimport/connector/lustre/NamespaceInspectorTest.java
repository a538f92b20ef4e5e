package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceInspectorTest {

    @TempDir Path temp;
    private Path rootPath;
    private Path outside;
    private NamespaceInspector inspector;

    @BeforeEach
    void setUp() throws Exception {
        rootPath = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        inspector = new NamespaceInspector(new LustreRoot(rootPath));
    }

    @Test
    void readsAFileAsLstatSeesIt() throws Exception {
        Path file = Files.createDirectories(rootPath.resolve("a")).resolve("f.txt");
        Files.writeString(file, "hello");
        Files.setAttribute(file, "unix:mode", 0640);
        setMtime(file, 1_500_000_000_000L);

        assertThat(inspector.inspect("a/f.txt"))
                .contains(
                        new PosixAttributes(
                                FileKind.FILE,
                                5,
                                1_500_000_000_000L,
                                0640,
                                NamespaceInspector.currentUid(),
                                NamespaceInspector.currentGid()));
    }

    @Test
    void readsOwnerGroupAndSpecialModeBits() throws Exception {
        assumeThat(NamespaceInspector.currentUid()).as("chown to others needs root").isZero();
        Path dir = Files.createDirectory(rootPath.resolve("shared"));
        Files.setAttribute(dir, "unix:uid", 1234);
        Files.setAttribute(dir, "unix:gid", 2345);
        Files.setAttribute(dir, "unix:mode", 03775);

        PosixAttributes attributes = inspector.inspect("shared").orElseThrow();

        assertThat(attributes.kind).isEqualTo(FileKind.DIRECTORY);
        assertThat(attributes.size).isZero();
        assertThat(attributes.mode).isEqualTo(03775);
        assertThat(attributes.uid).isEqualTo(1234);
        assertThat(attributes.gid).isEqualTo(2345);
    }

    @Test
    void readsALinkItselfWithTheByteLengthOfItsTarget() throws Exception {
        String target = "../ü/ß";
        Path link = Files.createSymbolicLink(rootPath.resolve("link"), Path.of(target));
        setMtime(link, 1_400_000_000_000L);

        PosixAttributes attributes = inspector.inspect("link").orElseThrow();

        assertThat(attributes.kind).isEqualTo(FileKind.SYMLINK);
        assertThat(attributes.size).isEqualTo(target.getBytes(StandardCharsets.UTF_8).length);
        assertThat(attributes.size).isEqualTo(8);
        assertThat(attributes.mtimeMillis).isEqualTo(1_400_000_000_000L);
    }

    @Test
    void doesNotFollowALinkToADirectory() throws Exception {
        Files.createSymbolicLink(rootPath.resolve("link"), outside);

        assertThat(inspector.inspect("link").orElseThrow().kind).isEqualTo(FileKind.SYMLINK);
        assertThat(inspector.isEmptyDirectory("link")).isFalse();
    }

    @Test
    void missingEntriesAndMissingParentsAreEmpty() throws Exception {
        assertThat(inspector.inspect("nothing")).isEmpty();
        assertThat(inspector.inspect("no/such/parent")).isEmpty();
    }

    @Test
    void anEntryBehindALinkIsUnreachableNotMissing() throws Exception {
        Files.writeString(outside.resolve("passwd"), "secret");
        Files.createSymbolicLink(rootPath.resolve("a"), outside);

        assertThatThrownBy(() -> inspector.inspect("a/passwd"))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("parent 'a' is a symbolic link");
        assertThatThrownBy(() -> inspector.isEmptyDirectory("a/sub"))
                .isInstanceOf(UnsafePathException.class);
    }

    @Test
    void anEntryBelowAFileIsUnreachableNotMissing() throws Exception {
        Files.writeString(rootPath.resolve("a"), "file");

        assertThatThrownBy(() -> inspector.inspect("a/b"))
                .isInstanceOf(PathConflictException.class)
                .hasMessageContaining("parent 'a' is a file");
    }

    @Test
    void specialFilesAreConflicts() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", rootPath.resolve("fifo").toString()).start();
        assumeThat(mkfifo.waitFor()).as("mkfifo available").isZero();

        assertThatThrownBy(() -> inspector.inspect("fifo"))
                .isInstanceOf(PathConflictException.class)
                .hasMessageContaining("special file");
    }

    @Test
    void tellsEmptyDirectories() throws Exception {
        Files.createDirectories(rootPath.resolve("empty"));
        Files.createDirectories(rootPath.resolve("full/child"));
        Files.writeString(rootPath.resolve("file"), "x");

        assertThat(inspector.isEmptyDirectory("empty")).isTrue();
        assertThat(inspector.isEmptyDirectory("full")).isFalse();
        assertThat(inspector.isEmptyDirectory("full/child")).isTrue();
        assertThat(inspector.isEmptyDirectory("file")).isFalse();
        assertThat(inspector.isEmptyDirectory("missing")).isFalse();
        assertThat(inspector.isEmptyDirectory("missing/deeper")).isFalse();
    }

    @Test
    void knowsTheJobsOwnUser() throws Exception {
        Path probe = Files.writeString(temp.resolve("probe"), "x");

        assertThat(NamespaceInspector.currentUid())
                .isEqualTo(Files.getAttribute(probe, "unix:uid"));
        assertThat(NamespaceInspector.currentGid())
                .isEqualTo(Files.getAttribute(probe, "unix:gid"));
    }

    @Test
    void rejectsUnsafePaths() {
        assertThatThrownBy(() -> inspector.inspect("../outside"))
                .isInstanceOf(UnsafePathException.class);
    }

    private static void setMtime(Path path, long millis) throws Exception {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.fromMillis(millis), null, null);
    }
}
