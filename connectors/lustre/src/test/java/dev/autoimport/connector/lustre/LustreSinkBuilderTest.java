package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LustreSinkBuilderTest {

    @TempDir Path root;

    private LustreSinkBuilder complete() {
        return LustreSink.builder()
                .setRoot(root.toString())
                .setContentSource(new MapContentSource());
    }

    @Test
    void buildsASerializableSink() throws Exception {
        LustreSink sink =
                complete().setMaxConcurrentActions(4).setDefaultDirectoryMode(0750).build();

        LustreSink copy =
                InstantiationUtil.clone(sink, LustreSinkBuilderTest.class.getClassLoader());

        assertThat(copy.maxConcurrentActions()).isEqualTo(4);
        assertThat(copy.defaultDirectory().mode).isEqualTo(0750);
        assertThat(copy.defaultDirectory().uid).isEqualTo(NamespaceInspector.currentUid());
        assertThat(copy.root()).isEqualTo(root);
    }

    @Test
    void requiresEveryMandatorySetting() {
        assertThatThrownBy(() -> complete().setRoot(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("setRoot(...) is required");
        assertThatThrownBy(() -> complete().setContentSource(null).build())
                .hasMessageStartingWith("setContentSource(...) is required");
    }

    @Test
    void refusesARootThatCannotBeUsed() throws Exception {
        assertThatThrownBy(() -> complete().setRoot("relative/dir").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Lustre root 'relative/dir' must be an absolute path");
        assertThatThrownBy(() -> complete().setRoot(root.resolve("missing").toString()).build())
                .hasMessageContaining("does not exist on this machine");
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatThrownBy(() -> complete().setRoot(file.toString()).build())
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> complete().setRoot("/bad\0path").build())
                .hasMessageContaining("is not a valid path");
    }

    @Test
    void checksNumbersWhenTheyAreSet() {
        assertThatThrownBy(() -> complete().setMaxConcurrentActions(0))
                .hasMessage("maxConcurrentActions must be between 1 and 1024, got 0");
        assertThatThrownBy(() -> complete().setMaxConcurrentActions(5000))
                .hasMessageContaining("got 5000");
        assertThatThrownBy(() -> complete().setDefaultDirectoryMode(010000))
                .hasMessageContaining("within 07777");
        assertThatThrownBy(() -> complete().setDefaultDirectoryOwner(-1, 0))
                .hasMessageContaining("-1:0");
    }

    @Test
    void defaultDirectoryOwnerCanBeSet() {
        PosixAttributes directory =
                complete().setDefaultDirectoryOwner(7, 8).build().defaultDirectory();

        assertThat(directory.uid).isEqualTo(7);
        assertThat(directory.gid).isEqualTo(8);
        assertThat(directory.mode).isEqualTo(0755);
        assertThat(directory.kind).isEqualTo(FileKind.DIRECTORY);
    }
}
