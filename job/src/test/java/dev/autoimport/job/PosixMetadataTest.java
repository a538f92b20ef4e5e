package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PosixMetadataTest {

    @ParameterizedTest(name = "permissions {0} = {1}")
    @CsvSource({
        "0755,0755",
        "755,0755",
        "0644,0644",
        "1777,1777",
        "4755,4755",
        "rwxr-xr-x,0755",
        "rw-r--r--,0644",
        "rwxrwxrwt,1777",
        "rwxrwxrwT,1776",
        "-rwxr-x---,0750",
        "drwxr-xr-x,0755",
        "rwsr-xr-x,4755",
        "rwxr-sr-x,2755"
    })
    void permissions(String value, String octal) {
        PosixMetadata m = PosixMetadata.parse(Map.of("permissions", value));
        assertThat(m.mode).isEqualTo(Integer.parseInt(octal, 8));
        assertThat(m.warnings).isEmpty();
    }

    @ParameterizedTest(name = "unreadable permissions ''{0}''")
    @CsvSource({"0888", "rwx", "full", "077777", "rwxr-xr-xx"})
    void unreadablePermissionsWarnAndFallBack(String value) {
        PosixMetadata m = PosixMetadata.parse(Map.of("Permissions", value));
        assertThat(m.mode).isNull();
        assertThat(m.warnings).singleElement().asString().contains("permissions", value);
    }

    @Test
    void ownerAndGroupAreNumericOrRoot() {
        PosixMetadata m = PosixMetadata.parse(Map.of("OWNER", "root", "group", "1001"));
        assertThat(m.uid).isZero();
        assertThat(m.gid).isEqualTo(1001);

        PosixMetadata bad = PosixMetadata.parse(Map.of("owner", "alice", "group", "-3"));
        assertThat(bad.uid).isNull();
        assertThat(bad.gid).isNull();
        assertThat(bad.warnings).hasSize(2);
    }

    @Test
    void mtimeIsRfc3339AsRcloneWritesIt() {
        PosixMetadata m =
                PosixMetadata.parse(Map.of("mtime", "2024-03-01T12:30:45.123456789+01:00"));
        assertThat(m.mtimeMillis)
                .isEqualTo(Instant.parse("2024-03-01T11:30:45.123Z").toEpochMilli());

        PosixMetadata bad = PosixMetadata.parse(Map.of("mtime", "yesterday"));
        assertThat(bad.mtimeMillis).isNull();
        assertThat(bad.warnings).singleElement().asString().contains("mtime");
    }

    @Test
    void markersMatchCaseInsensitively() {
        assertThat(PosixMetadata.parse(Map.of("HDI_IsFolder", "TRUE")).folderMarker).isTrue();
        assertThat(PosixMetadata.parse(Map.of("ftype", "LNK")).symlink).isTrue();
        assertThat(PosixMetadata.parse(Map.of("hdi_isfolder", "false")).folderMarker).isFalse();
        assertThat(PosixMetadata.parse(null).warnings).isEmpty();
    }
}
