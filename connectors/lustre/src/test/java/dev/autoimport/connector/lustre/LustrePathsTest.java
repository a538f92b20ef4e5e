package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LustrePathsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a|a",
                "a/b/c.txt|a/b/c.txt",
                "dir/|dir",
                "a/b/|a/b",
                "with space/and  two.txt|with space/and  two.txt",
                "naïve/日本語/файл|naïve/日本語/файл",
                "emoji/😀.bin|emoji/😀.bin",
                "...|...",
                "a/.hidden/..x/x..|a/.hidden/..x/x..",
                ".auto-import2/x|.auto-import2/x",
                "a/.auto-import|a/.auto-import",
                "back\\slash|back\\slash"
            })
    void acceptsOrdinaryNames(String blobName, String expectedPath) throws Exception {
        assertThat(LustrePaths.toRelativePath(blobName)).isEqualTo(expectedPath);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/a",
                "/",
                "//",
                "a//b",
                "a/b//",
                "a///",
                ".",
                "..",
                "./a",
                "a/./b",
                "a/..",
                "a/../b",
                "../etc/passwd",
                "a/b/../../..",
                "./"
            })
    void rejectsEmptyDotAndDotDotComponents(String blobName) {
        assertThatThrownBy(() -> LustrePaths.toRelativePath(blobName))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("'" + blobName + "'");
    }

    @Test
    void explainsWhichRuleIsBroken() {
        assertThatThrownBy(() -> LustrePaths.toRelativePath("/etc/passwd"))
                .hasMessage("'/etc/passwd': it starts with '/'");
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a//b"))
                .hasMessageContaining("empty component");
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a/../b"))
                .hasMessageContaining("'..' component");
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a/./b"))
                .hasMessageContaining("'.' component");
    }

    @Test
    void rejectsEmptyAndNullNames() {
        assertThatThrownBy(() -> LustrePaths.toRelativePath(""))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> LustrePaths.toRelativePath(null))
                .isInstanceOf(UnsafePathException.class);
    }

    @Test
    void rejectsNul() {
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a/b\0c"))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void rejectsUnpairedSurrogates() {
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a/\uD800b"))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> LustrePaths.toRelativePath("a/\uDC00"))
                .isInstanceOf(UnsafePathException.class);
    }

    @Test
    void componentMayHave255BytesButNot256() throws Exception {
        String ok = "x".repeat(255);
        assertThat(LustrePaths.toRelativePath("d/" + ok)).isEqualTo("d/" + ok);
        assertThatThrownBy(() -> LustrePaths.toRelativePath("d/" + "x".repeat(256) + "/f"))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("component 2 is 256 bytes");
    }

    @Test
    void componentLengthCountsUtf8BytesNotCharacters() throws Exception {
        // 'é' is two bytes: 127 of them make 254 bytes, plus one ASCII byte 255.
        String twoByte255 = "é".repeat(127) + "x";
        assertThat(twoByte255.getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThat(LustrePaths.toRelativePath(twoByte255)).isEqualTo(twoByte255);

        String twoByte256 = "é".repeat(128);
        assertThatThrownBy(() -> LustrePaths.toRelativePath(twoByte256))
                .hasMessageContaining("256 bytes");

        // '😀' is four bytes (a surrogate pair in Java): 64 of them make 256 bytes in 128 chars.
        assertThatThrownBy(() -> LustrePaths.toRelativePath("😀".repeat(64)))
                .hasMessageContaining("256 bytes");
        assertThat(LustrePaths.toRelativePath("😀".repeat(63) + "abc")).hasSize(129);
    }

    @Test
    void pathMayHave4096BytesButNot4097() throws Exception {
        String path4096 = pathOfBytes(4096, "x");
        assertThat(path4096.getBytes(StandardCharsets.UTF_8)).hasSize(4096);
        assertThat(LustrePaths.toRelativePath(path4096)).isEqualTo(path4096);
        assertThat(LustrePaths.toRelativePath(path4096 + "/")).isEqualTo(path4096);

        String path4097 = pathOfBytes(4097, "x");
        assertThatThrownBy(() -> LustrePaths.toRelativePath(path4097))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("4097 bytes");
    }

    @Test
    void pathLengthCountsUtf8Bytes() throws Exception {
        String path4096 = pathOfBytes(4096, "ü");
        assertThat(path4096.length()).isLessThan(4096);
        assertThat(LustrePaths.toRelativePath(path4096)).isEqualTo(path4096);
        assertThatThrownBy(() -> LustrePaths.toRelativePath(pathOfBytes(4097, "ü")))
                .hasMessageContaining("4097 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {".auto-import", ".auto-import/", ".auto-import/staging/1-0/x"})
    void rejectsTheReservedTopLevelName(String blobName) {
        assertThatThrownBy(() -> LustrePaths.toRelativePath(blobName))
                .isInstanceOf(UnsafePathException.class)
                .hasMessageContaining("reserved");
    }

    @Test
    void directoryMarkersEndWithSlash() {
        assertThat(LustrePaths.isDirectoryMarkerName("a/b/")).isTrue();
        assertThat(LustrePaths.isDirectoryMarkerName("a/b")).isFalse();
        assertThat(LustrePaths.isDirectoryMarkerName("a/b/ ")).isFalse();
    }

    @Test
    void relativePathsMayNotKeepATrailingSlash() throws Exception {
        assertThat(LustrePaths.checkRelativePath("a/b")).isEqualTo("a/b");
        assertThatThrownBy(() -> LustrePaths.checkRelativePath("a/b/"))
                .isInstanceOf(UnsafePathException.class);
        assertThatThrownBy(() -> LustrePaths.checkRelativePath(null))
                .isInstanceOf(UnsafePathException.class);
        assertThatThrownBy(() -> LustrePaths.checkRelativePath("../x"))
                .isInstanceOf(UnsafePathException.class);
    }

    /** A '/'-separated path of exactly {@code bytes} UTF-8 bytes, made of {@code unit}s. */
    private static String pathOfBytes(int bytes, String unit) {
        StringBuilder path = new StringBuilder();
        int remaining = bytes;
        while (remaining > 201) {
            path.append(component(200, unit)).append('/');
            remaining -= 201;
        }
        return path.append(component(remaining, unit)).toString();
    }

    private static String component(int bytes, String unit) {
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        int units = bytes / unitBytes;
        return unit.repeat(units) + "a".repeat(bytes - units * unitBytes);
    }
}
