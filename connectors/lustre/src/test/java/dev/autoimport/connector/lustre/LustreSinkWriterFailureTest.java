package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.autoimport.connector.lustre.ContentSource.ContentGoneException;
import dev.autoimport.connector.lustre.ContentSource.SourceUnavailableException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Failures of one blob, failures of the file system, and what is left behind. */
class LustreSinkWriterFailureTest extends SinkWriterTestBase {

    @Test
    void aBlobGoneWhenFetchedIsReportedAndTheJobGoesOn() throws Exception {
        blobs.put("present", "e1", "here");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                writeFile("new/parents/gone", "e1", "whatever"),
                writeFile("present", "e1", "here"));

        RecordingListener.Failure failure = listener.onlyFailure();
        assertThat(failure.action().path).isEqualTo("new/parents/gone");
        assertThat(failure.error()).isInstanceOf(ContentGoneException.class);
        assertThat(failure.attempts()).isEqualTo(1);
        assertThat(listener.successes).extracting(a -> a.path).containsExactly("present");
        assertThat(rootEntries()).as("no parents made for nothing").containsExactly("present");
        assertNoStagedEntries();
    }

    @Test
    void aBlobOfAnotherSizeThanDecidedIsABlobThatChanged() throws Exception {
        blobs.put("shorter", "e1", "12345").put("longer", "e1", "1234567890");
        LustreSinkWriter writer = openWriter();

        apply(writer, writeFile("shorter", "e1", 10, 0644), writeFile("longer", "e1", 5, 0644));

        assertThat(listener.failures)
                .extracting(f -> f.error().getMessage())
                .containsExactlyInAnyOrder(
                        "blob 'shorter' (etag e1) delivered 5 bytes instead of the 10 bytes"
                                + " expected; it changed since the decision",
                        "blob 'longer' (etag e1) delivered more than the 5 bytes expected; it"
                                + " changed since the decision");
        assertThat(rootEntries()).isEmpty();
        assertNoStagedEntries();
    }

    @Test
    void aDownloadFailingHalfwayLeavesNothingBehind() throws Exception {
        ContentSource halfThenReset =
                () ->
                        (blobName, etag, out) -> {
                            out.write("first half".getBytes(UTF_8));
                            throw new IOException("connection reset by peer");
                        };
        LustreSinkWriter writer = openWriter(halfThenReset, 4);

        apply(writer, writeFile("file", "e1", 20, 0644));

        assertThat(listener.onlyFailure().error()).hasMessage("connection reset by peer");
        assertThat(rootEntries()).isEmpty();
        assertNoStagedEntries();
    }

    @Test
    void anActionWithAnUnsafePathIsAFailureOfThatBlob() throws Exception {
        LustreSinkWriter writer = openWriter();

        apply(writer, writeFile("../escape", "e1", "x"), writeFile(".auto-import/x", "e1", "x"));

        assertThat(listener.failures)
                .hasSize(2)
                .allSatisfy(f -> assertThat(f.error()).isInstanceOf(UnsafePathException.class));
        assertThat(temp.resolve("escape")).doesNotExist();
    }

    @Test
    void permissionDeniedOnOneDirectoryIsAFailureOfThatBlob() throws Exception {
        Path locked = Files.createDirectory(rootPath.resolve("locked"));
        assumeThat(ShellCommands.run("chattr", "+i", locked.toString()))
                .as("chattr +i (immutable directory) works here")
                .isTrue();
        try {
            blobs.put("locked/file", "e1", "x").put("open/file", "e1", "x");
            LustreSinkWriter writer = openWriter();

            apply(writer, writeFile("locked/file", "e1", "x"), writeFile("open/file", "e1", "x"));

            RecordingListener.Failure failure = listener.onlyFailure();
            assertThat(failure.action().path).isEqualTo("locked/file");
            assertThat(failure.error())
                    .isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("Operation not permitted");
            assertThat(rootPath.resolve("open/file")).hasContent("x");
            assertNoStagedEntries();
        } finally {
            ShellCommands.run("chattr", "-i", locked.toString());
        }
    }

    @Test
    void stagingLeftoversOfACrashAreRemovedAtStart() throws Exception {
        Path staging = rootPath.resolve(".auto-import/staging");
        for (String leftover :
                new String[] {"2-0/entry-7", "2-1/entry-3", "3-0/entry-1", "3-2/d/x"}) {
            Files.createDirectories(staging.resolve(leftover).getParent());
            Files.writeString(staging.resolve(leftover), "partial");
        }
        Files.createSymbolicLink(staging.resolve("2-0/entry-8"), outside);
        LustreSink sink = sinkOn(rootPath, blobs, 2);

        LustreSinkWriter subtask0 = openWriter(sink, 0, 2);

        assertThat(staging.resolve("2-0")).isEmptyDirectory();
        assertThat(staging.resolve("2-1/entry-3")).as("another subtask's").exists();
        assertThat(staging.resolve("3-0")).as("from before a rescale").doesNotExist();
        assertThat(staging.resolve("3-2")).doesNotExist();

        LustreSinkWriter subtask1 = openWriter(sink, 1, 2);
        assertThat(staging.resolve("2-1")).isEmptyDirectory();

        subtask0.close();
        subtask1.close();
        assertThat(rootPath.resolve(LustrePaths.RESERVED_NAME)).doesNotExist();
    }

    @Test
    void nothingIsLeftBehindAfterASuccessfulRun() throws Exception {
        blobs.put("a/b/c", "e1", "c").put("l", "e1", "a/b/c");
        LustreSinkWriter writer = openWriter();

        apply(
                writer,
                writeFile("a/b/c", "e1", "c"),
                TestActions.makeSymlink("l", "e1", "a/b/c"),
                TestActions.makeDirectory("d", 0755));
        writer.flush();
        writer.close();

        assertThat(rootEntries()).containsExactly("a", "d", "l");
        try (Stream<Path> reserved = Files.list(rootPath.resolve(LustrePaths.RESERVED_NAME))) {
            assertThat(reserved.map(p -> p.getFileName().toString()))
                    .as("no staging area, only the link's import marker")
                    .containsExactly(LinkMarkers.DIRECTORY);
        }
    }

    @Test
    void refusesToStartWhenTheReservedNameIsTaken() throws Exception {
        Files.createSymbolicLink(rootPath.resolve(LustrePaths.RESERVED_NAME), outside);

        assertThatThrownBy(() -> openWriter())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reserves '.auto-import'")
                .hasMessageContaining("move it away");
    }

    @Test
    void aVanishedRootFailsTheJob() throws Exception {
        blobs.put("before", "e1", "x").put("after", "e1", "x");
        LustreSinkWriter writer = openWriter();
        apply(writer, writeFile("before", "e1", "x"));

        StagingArea.deleteRecursively(rootPath);
        writer.write(writeFile("after", "e1", "x"));

        assertThatThrownBy(() -> writer.flush())
                .isInstanceOf(LustreRootFailureException.class)
                .hasMessageContaining("Lustre root " + rootPath)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("Flink restarts it from the last completed checkpoint");
        assertThat(listener.failures).as("not a blob error: it is replayed").isEmpty();
        assertThatThrownBy(() -> writer.write(writeFile("later", "e1", "x")))
                .isInstanceOf(LustreRootFailureException.class);
        writer.close();
    }

    @Test
    void aFullFileSystemFailsTheJobEvenWhenTheSourceWrapsTheError() throws Exception {
        Path mount = Files.createDirectory(temp.resolve("small"));
        assumeThat(
                        ShellCommands.run(
                                "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()))
                .as("mounting a tmpfs works here (root)")
                .isTrue();
        try {
            byte[] twoMegabytes = new byte[2 * 1024 * 1024];
            ContentSource wrapping =
                    () ->
                            (blobName, etag, out) -> {
                                try {
                                    out.write(twoMegabytes);
                                } catch (IOException e) {
                                    throw new IOException("download of " + blobName + " failed", e);
                                }
                            };
            LustreSinkWriter writer = openWriter(sinkOn(mount, wrapping, 2), 0, 1);

            writer.write(writeFile("big", "e1", twoMegabytes.length, 0644));

            assertThatThrownBy(() -> writer.flush())
                    .isInstanceOf(LustreRootFailureException.class)
                    .hasMessageContaining("Lustre root " + mount)
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("free space on the file system");
            assertThat(listener.failures).isEmpty();
            assertThat(mount.resolve(".auto-import/staging/1-0")).isEmptyDirectory();
            writer.close();
        } finally {
            ShellCommands.runOrFail("umount", mount.toString());
        }
    }

    @Test
    void aReadOnlyFileSystemFailsTheJob() throws Exception {
        Path mount = Files.createDirectory(temp.resolve("ro"));
        assumeThat(
                        ShellCommands.run(
                                "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()))
                .as("mounting a tmpfs works here (root)")
                .isTrue();
        try {
            blobs.put("file", "e1", "x");
            LustreSinkWriter writer = openWriter(sinkOn(mount, blobs, 2), 0, 1);
            ShellCommands.runOrFail("mount", "-o", "remount,ro", mount.toString());

            writer.write(writeFile("file", "e1", "x"));

            assertThatThrownBy(() -> writer.flush())
                    .isInstanceOf(LustreRootFailureException.class)
                    .hasMessageContaining("Read-only file system")
                    .hasMessageContaining("remount the file system read-write");
            assertThat(listener.failures).isEmpty();
            ShellCommands.runOrFail("mount", "-o", "remount,rw", mount.toString());
            writer.close();
        } finally {
            ShellCommands.runOrFail("umount", mount.toString());
        }
    }

    @Test
    void anUnavailableContentSourceFailsTheJob() throws Exception {
        ContentSource lostCredential =
                () ->
                        (blobName, etag, out) -> {
                            throw new SourceUnavailableException("credential expired", null);
                        };
        LustreSinkWriter writer = openWriter(lostCredential, 2);

        writer.write(writeFile("file", "e1", "x"));

        assertThatThrownBy(() -> writer.flush())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("content source cannot serve blobs")
                .hasMessageContaining("credential expired");
        assertThat(listener.failures).isEmpty();
    }

    @Test
    void aFailingListenerFailsTheTask() throws Exception {
        blobs.put("file", "e1", "x");
        ActionListener broken =
                new ActionListener() {
                    @Override
                    public void onSuccess(LustreAction action) {
                        throw new IllegalStateException("counter broke");
                    }

                    @Override
                    public void onFailure(LustreAction action, Throwable error, int attempts) {}
                };
        LustreSink sink =
                LustreSink.builder().setRoot(rootPath.toString()).setContentSource(blobs).build();
        LustreSinkWriter writer = sink.createWriter(0, 1, metrics, mailbox, broken);
        try {
            writer.write(writeFile("file", "e1", "x"));

            // The outcome runs as a mail on the task's thread: its failure is the task's.
            assertThatThrownBy(writer::flush).hasMessage("counter broke");
        } finally {
            writer.close();
        }
    }
}
