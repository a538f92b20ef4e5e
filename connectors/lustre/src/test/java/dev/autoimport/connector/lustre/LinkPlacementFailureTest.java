package dev.autoimport.connector.lustre;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A link and its marker move together or not at all: when the link cannot be placed (a directory
 * filled under its name while it was staged), no marker of it stays behind; a previous link's
 * record comes back only when that link still stands there ({@link LinkMarkers#undo}).
 */
class LinkPlacementFailureTest extends SinkWriterTestBase {

    @Test
    void aLinkThatCannotBePlacedLeavesNoMarker() throws Exception {
        LustreSinkWriter writer =
                openWriter(new FillingTheWay(rootPath.resolve("evil"), "../outside"), 4);

        apply(writer, TestActions.replacing(TestActions.makeSymlink("evil", "e1", "../outside")));

        assertThat(listener.onlyFailure().error()).hasMessageContaining("non-empty directory");
        assertThat(rootPath.resolve("evil")).isDirectory();
        assertThat(LinkMarkers.read(new LustreRoot(rootPath), "evil"))
                .as("no marker of a link that never stood there")
                .isEmpty();
        assertNoStagedEntries();
    }

    @Test
    void aLinkReplacedMeanwhileByADirectoryKeepsNoRecordOfEitherLink() throws Exception {
        blobs.put("link", "e1", "first/target");
        apply(openWriter(), TestActions.makeSymlink("link", "e1", "first/target"));
        assertThat(LinkMarkers.importedAttributes(new LustreRoot(rootPath), "link")).isPresent();

        // While the new version is staged, someone replaces the old link with a full directory.
        LustreSinkWriter second =
                openWriter(new FillingTheWay(rootPath.resolve("link"), "second/target"), 4);
        apply(
                second,
                TestActions.replacing(TestActions.makeSymlink("link", "e2", "second/target")));

        assertThat(listener.onlyFailure().error()).hasMessageContaining("non-empty directory");
        assertThat(rootPath.resolve("link")).isDirectory();
        assertThat(LinkMarkers.read(new LustreRoot(rootPath), "link")).isEmpty();
    }

    /** Serves a link target, and while doing so fills a directory where the link is to go. */
    private static final class FillingTheWay implements ContentSource {
        private static final long serialVersionUID = 1L;
        private final String directory;
        private final String target;

        FillingTheWay(Path directory, String target) {
            this.directory = directory.toString();
            this.target = target;
        }

        @Override
        public Reader open() {
            return (String blobName, String etag, OutputStream out) -> {
                Path dir = Path.of(directory);
                Files.deleteIfExists(dir); // a link there is replaced by someone else's directory
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("pwn"), "arrived meanwhile");
                writeTarget(out);
            };
        }

        private void writeTarget(OutputStream out) throws IOException {
            out.write(target.getBytes(UTF_8));
        }
    }
}
