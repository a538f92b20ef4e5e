package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LustreRootTest {

    @TempDir Path temp;
    private Path rootPath;
    private Path outside;
    private LustreRoot root;
    private final PosixAttributes defaultDirectory =
            TestActions.attributes(FileKind.DIRECTORY, 0, 0755);

    @BeforeEach
    void setUp() throws Exception {
        rootPath = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        root = new LustreRoot(rootPath);
    }

    @Test
    void refusesARootThatIsNotAnAbsoluteExistingDirectory() throws Exception {
        assertThatThrownBy(() -> new LustreRoot(Path.of("relative/root")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an absolute path");
        assertThatThrownBy(() -> new LustreRoot(temp.resolve("missing")))
                .hasMessageContaining("not an existing directory");
        Path file = Files.writeString(temp.resolve("file"), "x");
        assertThatThrownBy(() -> new LustreRoot(file))
                .hasMessageContaining("not an existing directory");
    }

    @Test
    void findsProblemsWithACandidateRoot() throws Exception {
        assertThat(LustreRoot.findProblem(rootPath)).isEmpty();
        assertThat(LustreRoot.findProblem(Path.of("rel"))).get().asString().contains("absolute");
        assertThat(LustreRoot.findProblem(temp.resolve("missing")))
                .get()
                .asString()
                .contains("does not exist", "mounted");
        assertThat(LustreRoot.findProblem(Files.writeString(temp.resolve("f"), "x")))
                .get()
                .asString()
                .contains("not a directory");
    }

    @Test
    void refusesAJvmThatCannotEncodeFileNamesAsUtf8() {
        assertThat(LustreRoot.fileNameEncodingProblem("UTF-8")).isEmpty();
        assertThat(LustreRoot.fileNameEncodingProblem("utf8")).isEmpty();
        assertThat(LustreRoot.fileNameEncodingProblem("ANSI_X3.4-1968"))
                .get()
                .asString()
                .contains("ANSI_X3.4-1968", "C.UTF-8");
    }

    @Test
    void rootItselfMayBeALink() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("link-to-root"), rootPath);
        assertThat(new LustreRoot(link).path()).isEqualTo(rootPath.toRealPath());
    }

    @Test
    void resolvesOnlyPathsThatPassTheRules() throws Exception {
        assertThat(root.resolve("a/b")).isEqualTo(rootPath.toRealPath().resolve("a/b"));
        assertThat(root.resolve("a/b")).startsWithRaw(root.path());
        assertThatThrownBy(() -> root.resolve("../outside/x"))
                .isInstanceOf(UnsafePathException.class);
        assertThatThrownBy(() -> root.resolve("/etc/passwd"))
                .isInstanceOf(UnsafePathException.class);
        assertThatThrownBy(() -> root.resolve(".auto-import/staging"))
                .isInstanceOf(UnsafePathException.class);
    }

    @Test
    void createsMissingParentsWithTheDefaultAttributes() throws Exception {
        root.ensureParentDirectories("a/b/c/file", defaultDirectory);

        for (String dir : List.of("a", "a/b", "a/b/c")) {
            Map<String, Object> unix =
                    Files.readAttributes(
                            rootPath.resolve(dir), "unix:*", LinkOption.NOFOLLOW_LINKS);
            assertThat((Integer) unix.get("mode") & 07777).as(dir).isEqualTo(0755);
            assertThat(unix.get("uid")).isEqualTo(NamespaceInspector.currentUid());
        }
        assertThat(rootPath.resolve("a/b/c/file")).doesNotExist();
    }

    @Test
    void createdParentsGetTheDefaultOwnerAndSpecialModeBits() throws Exception {
        assumeThat(NamespaceInspector.currentUid()).as("chown to others needs root").isZero();
        PosixAttributes shared = new PosixAttributes(FileKind.DIRECTORY, 0, 0, 02775, 1234, 2345);

        root.ensureParentDirectories("project/data/file", shared);

        Map<String, Object> unix =
                Files.readAttributes(
                        rootPath.resolve("project/data"), "unix:*", LinkOption.NOFOLLOW_LINKS);
        assertThat((Integer) unix.get("mode") & 07777).isEqualTo(02775);
        assertThat(unix.get("uid")).isEqualTo(1234);
        assertThat(unix.get("gid")).isEqualTo(2345);
    }

    @Test
    void leavesExistingParentsAsTheyAre() throws Exception {
        Files.createDirectories(rootPath.resolve("a/b"));
        Files.setAttribute(rootPath.resolve("a"), "unix:mode", 0700);

        root.ensureParentDirectories("a/b/file", defaultDirectory);

        assertThat((Integer) Files.getAttribute(rootPath.resolve("a"), "unix:mode") & 07777)
                .isEqualTo(0700);
    }

    @Test
    void refusesToFollowAParentThatIsALinkOutOfTheRoot() throws Exception {
        Files.createSymbolicLink(rootPath.resolve("a"), outside);

        assertThatThrownBy(() -> root.ensureParentDirectories("a/passwd", defaultDirectory))
                .isInstanceOf(UnsafePathException.class)
                .hasMessage("'a/passwd': parent 'a' is a symbolic link; not following it");
        assertThatThrownBy(() -> root.ensureParentDirectories("a/new/passwd", defaultDirectory))
                .isInstanceOf(UnsafePathException.class);
        assertThatThrownBy(() -> root.parentsExist("a/passwd"))
                .isInstanceOf(UnsafePathException.class);
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void refusesToFollowALinkEvenIfItPointsInsideTheRoot() throws Exception {
        Files.createDirectories(rootPath.resolve("real/dir"));
        Files.createSymbolicLink(rootPath.resolve("real/alias"), Path.of("dir"));

        assertThatThrownBy(
                        () -> root.ensureParentDirectories("real/alias/x/file", defaultDirectory))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("parent 'real/alias' is a symbolic link");
        assertThat(rootPath.resolve("real/dir")).isEmptyDirectory();
    }

    @Test
    void refusesAParentThatIsAFile() throws Exception {
        Files.writeString(rootPath.resolve("a"), "I am a file");

        assertThatThrownBy(() -> root.ensureParentDirectories("a/b/c", defaultDirectory))
                .isInstanceOf(PathConflictException.class)
                .hasMessage("'a/b/c': parent 'a' is a file, not a directory");
        assertThatThrownBy(() -> root.parentsExist("a/b/c"))
                .isInstanceOf(PathConflictException.class);
        assertThat(Files.readString(rootPath.resolve("a"))).isEqualTo("I am a file");
    }

    @Test
    void tellsMissingParentsFromExistingOnes() throws Exception {
        assertThat(root.parentsExist("top-level")).isTrue();
        assertThat(root.parentsExist("missing/file")).isFalse();
        Files.createDirectories(rootPath.resolve("x/y"));
        assertThat(root.parentsExist("x/y/file")).isTrue();
        assertThat(root.openExistingParent("missing/deeper/file")).isEmpty();
    }

    @Test
    void concurrentCreationOfTheSameParentsIsHarmless() throws Exception {
        int threads = 8;
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String parent = "shared-" + round + "/x/y/z";
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Void>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String path = parent + "/file-" + t;
                    Callable<Void> create =
                            () -> {
                                start.await();
                                root.ensureParentDirectories(path, defaultDirectory);
                                return null;
                            };
                    results.add(pool.submit(create));
                }
                for (Future<Void> result : results) {
                    result.get();
                }
                assertThat(rootPath.resolve(parent)).isDirectory();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
