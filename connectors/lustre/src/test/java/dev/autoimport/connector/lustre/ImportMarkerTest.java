package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportMarkerTest {

    @TempDir Path dir;

    @Test
    void aMarkerRecordsTheAttributesItWasWrittenWith() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        PosixAttributes imported =
                new PosixAttributes(FileKind.FILE, 1, 1_700_000_000_000L, 0640, 1000, 100);
        ImportMarker.write(file, imported);
        assertThat(ImportMarker.read(file)).contains(imported);

        Path directory = Files.createDirectory(dir.resolve("d"));
        PosixAttributes dirAttributes = new PosixAttributes(FileKind.DIRECTORY, 0, 0, 0755, 0, 0);
        ImportMarker.write(directory, dirAttributes);
        assertThat(ImportMarker.read(directory)).contains(dirAttributes);
    }

    @Test
    void anEntryWithoutOrWithAForeignMarkerHasNone() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThat(ImportMarker.read(file)).isEmpty();
        assertThat(ImportMarker.parse("v2 FILE 1 2 3 4 5")).isEmpty();
        assertThat(ImportMarker.parse("v1 FILE one 2 3 4 5")).isEmpty();
        assertThat(ImportMarker.parse("v1 SOCKET 1 2 3 4 5")).isEmpty();
    }

    @Test
    void theInspectorReadsTheMarkerOfAnImportedEntry() throws Exception {
        Path file = Files.writeString(dir.resolve("g"), "abc");
        PosixAttributes imported =
                new PosixAttributes(FileKind.FILE, 3, 1_600_000_000_000L, 0600, 0, 0);
        PosixAttributeSetter.applyToFileOrDirectory(file, imported);
        NamespaceInspector inspector = new NamespaceInspector(new LustreRoot(dir));
        assertThat(inspector.importedAttributes("g")).contains(imported);
        assertThat(inspector.inspect("g").orElseThrow().sameAs(imported)).isTrue();
    }
}
