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
        "rwxr-x---,0750",
        "---------,0000"
    })
    void permissions(String value, String octal) {
        PosixMetadata m = PosixMetadata.parse(Map.of("permissions", value));
        assertThat(m.mode).isEqualTo(Integer.parseInt(octal, 8));
        assertThat(m.warnings).isEmpty();
    }

    @ParameterizedTest(name = "unreadable permissions ''{0}''")
    @CsvSource({
        "0888",
        "rwx",
        "full",
        "077777",
        "rwxr-xr-xx",
        // Forms neither the SPEC nor the README names: a type letter, S, T, s.
        "drwxr-xr-x",
        "-rw-r--r--",
        "rwxrwxrwT",
        "rwsr-xr-x",
        "rwxr-sr-x",
        // azcopy's decimal st_mode is read only on a blob azcopy marked as its own.
        "33188",
        "0x1ed",
        "+755"
    })
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

    @ParameterizedTest(name = "mtime ''{0}'' is refused")
    @CsvSource({
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "2262-04-12T00:00:00Z",
        "1e99",
        "1709296245",
        "1709296245.5",
        "2024-03-01",
        "2024-03-01T12:30Z",
        "2024-03-01T12:30:45",
        "2024-13-01T12:30:45Z",
        "2024-03-01 12:30:45Z"
    })
    void outOfRangeOrUnnamedMtimeWarnsAndFallsBackToLastModified(String value) {
        PosixMetadata m = PosixMetadata.parse(Map.of("mtime", value));
        assertThat(m.mtimeMillis).isNull();
        assertThat(m.warnings)
                .singleElement()
                .asString()
                .contains("mtime='" + value + "'")
                .endsWith("using the blob's Last-Modified");

        BlobEntry entry = BlobEntry.of("f", 3, 1_700_000_000_000L, Map.of("mtime", value), USER);
        assertThat(entry.attributes.mtimeMillis).isEqualTo(1_700_000_000_000L);
        assertThat(entry.warnings).hasSize(1);
    }

    @Test
    void mtimeAtTheEdgesOfTheRange() {
        assertThat(PosixMetadata.parse(Map.of("mtime", "1970-01-01T00:00:00Z")).mtimeMillis)
                .isZero();
        assertThat(PosixMetadata.parse(Map.of("mtime", "2262-04-11T23:47:16Z")).mtimeMillis)
                .isEqualTo(Instant.parse("2262-04-11T23:47:16Z").toEpochMilli());
        assertThat(PosixMetadata.parse(Map.of("mtime", "2024-03-01t12:30:45z")).mtimeMillis)
                .isEqualTo(Instant.parse("2024-03-01T12:30:45Z").toEpochMilli());
    }

    private static final EntryDefaults ROOT = new EntryDefaults(0, 0, true, false);
    private static final EntryDefaults USER = new EntryDefaults(1000, 1000, false, false);

    /**
     * What {@code rclone copy -M} (v1.6x, local to azureblob, Linux) writes: the local backend's
     * metadata_linux.go sets {@code mode} to {@code fmt.Sprintf("%0o", stat.Mode)}, {@code uid} and
     * {@code gid} in decimal, {@code atime}, {@code mtime} (and {@code btime}) as RFC 3339 with
     * nanoseconds; the azureblob backend stores them as blob metadata under the same keys.
     */
    @Test
    void rcloneMetadata() {
        Map<String, String> file =
                Map.of(
                        "mode", "100640",
                        "uid", "1001",
                        "gid", "2002",
                        "atime", "2024-05-06T07:08:09.987654321Z",
                        "mtime", "2024-03-01T12:30:45.123456789+01:00",
                        "btime", "2024-01-01T00:00:00Z");
        BlobEntry e = BlobEntry.of("data/file.bin", 10, 0, file, ROOT);
        assertThat(e.kind()).isEqualTo(dev.autoimport.connector.lustre.FileKind.FILE);
        assertThat(e.attributes.mode).isEqualTo(0640);
        assertThat(e.attributes.uid).isEqualTo(1001);
        assertThat(e.attributes.gid).isEqualTo(2002);
        assertThat(e.attributes.mtimeMillis)
                .isEqualTo(Instant.parse("2024-03-01T11:30:45.123Z").toEpochMilli());
        assertThat(e.warnings).isEmpty();

        // A directory as rclone lists it (40755), and the example of rclone's docs (0100664).
        assertThat(PosixMetadata.parse(Map.of("mode", "40755")).mode).isEqualTo(0755);
        assertThat(PosixMetadata.parse(Map.of("mode", "0100664")).mode).isEqualTo(0664);
        assertThat(PosixMetadata.parse(Map.of("mode", "120777")).mode).isEqualTo(0777);
        // A FIFO (010644) or a Go os.FileMode from Windows is not a file, directory or link.
        assertThat(PosixMetadata.parse(Map.of("mode", "10644")).warnings)
                .singleElement()
                .asString()
                .contains("mode='10644'");
        assertThat(PosixMetadata.parse(Map.of("mode", "20000000755")).mode).isNull();
    }

    /**
     * What {@code azcopy copy --preserve-posix-properties} writes in its standard style
     * (common/unixStatAdapter.go, AddStatToBlobMetadata, stat path): {@code posix_owner}, {@code
     * posix_group}, {@code permissions} = decimal st_mode, {@code modtime} = Unix nanoseconds, plus
     * {@code posix_nlink}, {@code posix_ino}, {@code posix_dev}, {@code posix_atime}, {@code
     * posix_ctime}; directories as {@code hdi_isfolder=true}, links as {@code is_symlink=true}.
     */
    @Test
    void azcopyStandardPosixProperties() {
        Map<String, String> file = new java.util.HashMap<>();
        file.put("posix_owner", "1001");
        file.put("posix_group", "2002");
        file.put("permissions", "33188"); // 0100644
        file.put("modtime", "1709296245123456789");
        file.put("posix_nlink", "1");
        file.put("posix_ino", "1234567");
        file.put("posix_dev", "2049");
        file.put("posix_atime", "1709296245123456789");
        file.put("posix_ctime", "1709296245123456789");
        BlobEntry e = BlobEntry.of("data/file.bin", 10, 0, file, ROOT);
        assertThat(e.attributes.mode).isEqualTo(0644);
        assertThat(e.attributes.uid).isEqualTo(1001);
        assertThat(e.attributes.gid).isEqualTo(2002);
        assertThat(e.attributes.mtimeMillis).isEqualTo(1_709_296_245_123L);
        assertThat(e.warnings).isEmpty();

        Map<String, String> dir = new java.util.HashMap<>(file);
        dir.put("permissions", "17901"); // 042755: setgid directory
        dir.put("hdi_isfolder", "true");
        BlobEntry d = BlobEntry.of("data/dir", 0, 0, dir, ROOT);
        assertThat(d.kind()).isEqualTo(dev.autoimport.connector.lustre.FileKind.DIRECTORY);
        assertThat(d.attributes.mode).as("set-group-ID dropped").isEqualTo(0755);

        Map<String, String> link = new java.util.HashMap<>(file);
        link.put("permissions", "41471"); // 0120777
        link.put("is_symlink", "true");
        BlobEntry l = BlobEntry.of("data/link", 8, 0, link, ROOT);
        assertThat(l.kind()).isEqualTo(dev.autoimport.connector.lustre.FileKind.SYMLINK);
    }

    /**
     * azcopy's AMLFS style ({@code --posix-properties-style amlfs}): {@code owner}, {@code group},
     * {@code permissions} as {@code %04o} and {@code modtime} in its AMLFS_MOD_TIME_LAYOUT.
     */
    @Test
    void azcopyAmlfsStyle() {
        Map<String, String> amlfs =
                Map.of(
                        "owner", "123",
                        "group", "456",
                        "permissions", "0777",
                        "modtime", "2026-01-02 03:04:05 +0000");
        PosixMetadata m = PosixMetadata.parse(amlfs);
        assertThat(m.uid).isEqualTo(123);
        assertThat(m.gid).isEqualTo(456);
        assertThat(m.mode).isEqualTo(0777);
        assertThat(m.mtimeMillis).isEqualTo(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli());
        assertThat(m.warnings).isEmpty();
    }

    @Test
    void whenSeveralToolsKeysArePresentTheFirstReadableInPrecedenceOrderWins() {
        Map<String, String> all = new java.util.HashMap<>();
        all.put("owner", "10");
        all.put("posix_owner", "20");
        all.put("uid", "30");
        all.put("group", "11");
        all.put("posix_group", "21");
        all.put("gid", "31");
        all.put("permissions", "0700");
        all.put("mode", "100644");
        all.put("mtime", "2024-03-01T00:00:00Z");
        all.put("modtime", "1709296245123456789");
        PosixMetadata m = PosixMetadata.parse(all);
        assertThat(m.uid).isEqualTo(10);
        assertThat(m.gid).isEqualTo(11);
        assertThat(m.mode).isEqualTo(0700);
        assertThat(m.mtimeMillis).isEqualTo(Instant.parse("2024-03-01T00:00:00Z").toEpochMilli());
        assertThat(m.warnings).isEmpty();

        // An unreadable value gives way to the next key, with a warning naming both.
        all.put("owner", "alice");
        all.put("mtime", "9999-12-31T23:59:59Z");
        PosixMetadata next = PosixMetadata.parse(all);
        assertThat(next.uid).isEqualTo(20);
        assertThat(next.mtimeMillis).isEqualTo(1_709_296_245_123L);
        assertThat(next.warnings)
                .containsExactlyInAnyOrder(
                        "metadata owner='alice' is not a numeric id or 'root'; using metadata posix_owner",
                        "metadata mtime='9999-12-31T23:59:59Z' is out of range (1970 to 2262); using metadata modtime");

        // The rclone and azcopy ids are decimal only ("root" is this project's and AMLFS's).
        assertThat(PosixMetadata.parse(Map.of("uid", "root")).uid).isNull();
    }
}
