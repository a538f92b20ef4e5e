package dev.autoimport.job;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the POSIX attributes a blob carries in its metadata (SPEC section 3). Keys match
 * case-insensitively. Three tools' keys are read; when several name the same attribute, the first
 * readable one in this order wins:
 *
 * <table>
 *   <caption>Keys read, in order of precedence</caption>
 *   <tr><th>attribute</th><th>AMLFS (and this project)</th><th>azcopy</th><th>rclone</th></tr>
 *   <tr><td>owner</td><td>{@code owner}</td><td>{@code posix_owner}</td><td>{@code uid}</td></tr>
 *   <tr><td>group</td><td>{@code group}</td><td>{@code posix_group}</td><td>{@code gid}</td></tr>
 *   <tr><td>mode</td><td>{@code permissions}</td><td>{@code permissions}</td><td>{@code mode}</td></tr>
 *   <tr><td>modification time</td><td>{@code mtime}</td><td>{@code modtime}</td><td>{@code mtime}</td></tr>
 *   <tr><td>kind</td><td>{@code hdi_isfolder}, {@code ftype=LNK}</td><td>{@code hdi_isfolder},
 *       {@code is_symlink}</td><td>(none)</td></tr>
 * </table>
 *
 * <p>Accepted values, and nothing else:
 *
 * <ul>
 *   <li>{@code owner}, {@code group}: a decimal id, or {@code root} (0); {@code posix_owner},
 *       {@code posix_group}, {@code uid}, {@code gid}: a decimal id.
 *   <li>{@code permissions}: octal of 3 or 4 digits with an optional leading 0 ({@code 755}, {@code
 *       0755}, {@code 1777}, {@code 4755}) or 9 symbolic characters ({@code rwxr-xr-x}, with an
 *       optional sticky {@code t} in the last place); on a blob that azcopy uploaded in its
 *       standard style (it also carries {@code posix_owner}, {@code posix_group}, {@code
 *       posix_nlink}, ...), the decimal {@code st_mode} azcopy writes there ({@code 33188} is a
 *       regular file 0644).
 *   <li>{@code mode} (rclone): octal {@code st_mode}, the file type bits of a regular file,
 *       directory or link allowed ({@code 100644}, {@code 0100664}, {@code 40755}) and dropped.
 *   <li>{@code mtime}: RFC 3339 as rclone writes it ({@code 2024-03-01T12:30:45.123456789Z}, {@code
 *       2024-03-01T13:30:45+01:00}); {@code modtime} (azcopy): Unix time in nanoseconds ({@code
 *       1709296245123456789}) or the AMLFS form {@code 2024-03-01 12:30:45 +0000}. Times must lie
 *       from 1970-01-01T00:00:00Z to 2262-04-11T23:47:16Z (what a nanosecond time stamp holds).
 * </ul>
 *
 * Anything else (bare epoch seconds, {@code 1e99}, a type letter as in {@code drwxr-xr-x}, a time
 * out of range) is a warning, and the attribute comes from the next key or the default: one odd
 * blob must not stop a mirror. rclone's {@code atime} and {@code btime} and azcopy's other keys
 * ({@code posix_atime}, {@code posix_ctime}, ...) are not applied: the import sets the modification
 * time only.
 *
 * <p>Sources of the other tools' formats: azcopy, {@code common/unixStatAdapter.go} of
 * github.com/Azure/azure-storage-azcopy ({@code AddStatToBlobMetadata}: {@code posix_owner}, {@code
 * posix_group} and {@code permissions} as decimal {@code st_mode}, {@code modtime} as {@code
 * UnixNano}; in the AMLFS style {@code owner}, {@code group}, {@code permissions} as {@code %04o}
 * and {@code modtime} in the layout {@code AMLFS_MOD_TIME_LAYOUT = "2006-01-02 15:04:05 -0700"} of
 * {@code common/fe-ste-models.go}); rclone, {@code backend/local/metadata_linux.go} and {@code
 * metadata.go} of github.com/rclone/rclone ({@code mode} as {@code fmt.Sprintf("%0o", stat.Mode)},
 * {@code uid}, {@code gid} decimal, {@code mtime} and {@code atime} as {@code time.RFC3339Nano}).
 */
public final class PosixMetadata {

    static final String OWNER = "owner";
    static final String GROUP = "group";
    static final String PERMISSIONS = "permissions";
    static final String MTIME = "mtime";
    static final String IS_FOLDER = "hdi_isfolder";
    static final String FILE_TYPE = "ftype";

    static final String AZCOPY_OWNER = "posix_owner";
    static final String AZCOPY_GROUP = "posix_group";
    static final String AZCOPY_MODTIME = "modtime";
    static final String AZCOPY_SYMLINK = "is_symlink";

    static final String RCLONE_UID = "uid";
    static final String RCLONE_GID = "gid";
    static final String RCLONE_MODE = "mode";

    /** Keys only azcopy's standard POSIX style writes: their presence marks such a blob. */
    private static final List<String> AZCOPY_STANDARD_MARKERS =
            List.of(
                    AZCOPY_OWNER,
                    AZCOPY_GROUP,
                    "posix_nlink",
                    "posix_ino",
                    "posix_ctime",
                    "posix_atime",
                    "linux_statx_mask");

    /** The latest time a nanosecond time stamp holds, in milliseconds (2262-04-11T23:47:16Z). */
    static final long MAX_MTIME_MILLIS = Long.MAX_VALUE / 1_000_000;

    private static final int S_IFMT = 0170000;
    private static final List<Integer> FILE_TYPES = List.of(0, 0100000, 0040000, 0120000);

    private static final Pattern ID = Pattern.compile("^[0-9]{1,10}$");
    private static final Pattern OCTAL = Pattern.compile("^0?[0-7]{3,4}$");
    private static final Pattern SYMBOLIC =
            Pattern.compile("^[r-][w-][x-][r-][w-][x-][r-][w-][xt-]$");
    private static final Pattern DECIMAL = Pattern.compile("^[1-9][0-9]{0,5}$");
    private static final Pattern OCTAL_ST_MODE = Pattern.compile("^0?[0-7]{1,6}$");
    private static final Pattern RFC_3339 =
            Pattern.compile(
                    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$");
    private static final Pattern UNIX_NANOS = Pattern.compile("^[0-9]{1,19}$");
    private static final Pattern AMLFS_TIME =
            Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$");
    private static final DateTimeFormatter AMLFS_TIME_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss xx", Locale.ROOT);

    /** Owner or null when absent/unreadable. */
    public final Integer uid;

    public final Integer gid;

    /** Permission bits (07777 mask) or null when absent/unreadable. */
    public final Integer mode;

    /** Modification time, or null when absent/unreadable. */
    public final Long mtimeMillis;

    public final boolean folderMarker;
    public final boolean symlink;

    /** One line per unreadable value, naming the key and the value. */
    public final List<String> warnings;

    private PosixMetadata(
            Integer uid,
            Integer gid,
            Integer mode,
            Long mtimeMillis,
            boolean folderMarker,
            boolean symlink,
            List<String> warnings) {
        this.uid = uid;
        this.gid = gid;
        this.mode = mode;
        this.mtimeMillis = mtimeMillis;
        this.folderMarker = folderMarker;
        this.symlink = symlink;
        this.warnings = List.copyOf(warnings);
    }

    public static PosixMetadata parse(Map<String, String> metadata) {
        Map<String, String> m = new HashMap<>();
        if (metadata != null) {
            metadata.forEach(
                    (k, v) ->
                            m.put(
                                    k == null ? "" : k.toLowerCase(Locale.ROOT),
                                    v == null ? "" : v.trim()));
        }
        List<String> warnings = new ArrayList<>();
        boolean azcopyStandard = AZCOPY_STANDARD_MARKERS.stream().anyMatch(m::containsKey);
        Integer uid =
                first(
                        m,
                        warnings,
                        "the job's own user",
                        attempt(OWNER, PosixMetadata::ownerOrGroup),
                        attempt(AZCOPY_OWNER, PosixMetadata::id),
                        attempt(RCLONE_UID, PosixMetadata::id));
        Integer gid =
                first(
                        m,
                        warnings,
                        "the job's own group",
                        attempt(GROUP, PosixMetadata::ownerOrGroup),
                        attempt(AZCOPY_GROUP, PosixMetadata::id),
                        attempt(RCLONE_GID, PosixMetadata::id));
        Integer mode =
                first(
                        m,
                        warnings,
                        "the default",
                        attempt(PERMISSIONS, v -> permissions(v, azcopyStandard)),
                        attempt(RCLONE_MODE, PosixMetadata::octalStMode));
        Long mtime =
                first(
                        m,
                        warnings,
                        "the blob's Last-Modified",
                        attempt(MTIME, PosixMetadata::rfc3339),
                        attempt(AZCOPY_MODTIME, PosixMetadata::azcopyModTime));
        boolean folder = m.getOrDefault(IS_FOLDER, "").equalsIgnoreCase("true");
        boolean link =
                m.getOrDefault(FILE_TYPE, "").equalsIgnoreCase("LNK")
                        || m.getOrDefault(AZCOPY_SYMLINK, "").equalsIgnoreCase("true");
        return new PosixMetadata(uid, gid, mode, mtime, folder, link, warnings);
    }

    /** A value that is not one of the accepted forms: why, e.g. "is not a numeric id". */
    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String why) {
            super(why, null, false, false);
        }
    }

    private interface Reader<T> {
        T read(String value) throws Unreadable;
    }

    private static final class Attempt<T> {
        final String key;
        final Reader<T> reader;

        Attempt(String key, Reader<T> reader) {
            this.key = key;
            this.reader = reader;
        }
    }

    private static <T> Attempt<T> attempt(String key, Reader<T> reader) {
        return new Attempt<>(key, reader);
    }

    /**
     * The first key present whose value reads; one warning per unreadable value before it, naming
     * what is used instead.
     */
    @SafeVarargs
    private static <T> T first(
            Map<String, String> m, List<String> warnings, String fallback, Attempt<T>... keys) {
        List<String> problems = new ArrayList<>();
        T found = null;
        String foundKey = null;
        for (Attempt<T> a : keys) {
            String value = m.get(a.key);
            if (value == null) {
                continue;
            }
            try {
                found = a.reader.read(value);
                foundKey = a.key;
                break;
            } catch (Unreadable e) {
                problems.add("metadata " + a.key + "='" + value + "' " + e.getMessage());
            }
        }
        String instead = foundKey == null ? fallback : "metadata " + foundKey;
        for (String p : problems) {
            warnings.add(p + "; using " + instead);
        }
        return found;
    }

    private static Integer ownerOrGroup(String value) throws Unreadable {
        if (value.equalsIgnoreCase("root")) {
            return 0;
        }
        try {
            return id(value);
        } catch (Unreadable e) {
            throw new Unreadable("is not a numeric id or 'root'");
        }
    }

    private static Integer id(String value) throws Unreadable {
        if (ID.matcher(value).matches()) {
            long id = Long.parseLong(value);
            if (id <= 0xFFFF_FFFEL) {
                return (int) id;
            }
        }
        throw new Unreadable("is not a numeric id");
    }

    /** Octal ({@code 0755}, {@code 1777}) or symbolic ({@code rwxr-xr-x}, sticky {@code t}). */
    private static Integer permissions(String value, boolean azcopyStandard) throws Unreadable {
        if (OCTAL.matcher(value).matches()) {
            return Integer.parseInt(value, 8);
        }
        if (SYMBOLIC.matcher(value).matches()) {
            int mode = 0;
            for (int i = 0; i < 9; i++) {
                if (value.charAt(i) != '-') {
                    mode |= 1 << (8 - i);
                }
            }
            if (value.charAt(8) == 't') {
                mode |= 01000;
            }
            return mode;
        }
        if (azcopyStandard && DECIMAL.matcher(value).matches()) {
            // azcopy's standard style: strconv.FormatUint(st_mode, 10), e.g. 33188 = 0100644.
            Integer mode = withFileType(Integer.parseInt(value));
            if (mode != null) {
                return mode;
            }
        }
        throw new Unreadable(
                "is neither octal (0755) nor symbolic (rwxr-xr-x)"
                        + (azcopyStandard ? " nor azcopy's decimal st_mode (33188)" : ""));
    }

    /** rclone's {@code mode}: octal {@code st_mode}, e.g. {@code 100644}. */
    private static Integer octalStMode(String value) throws Unreadable {
        if (OCTAL_ST_MODE.matcher(value).matches()) {
            Integer mode = withFileType(Integer.parseInt(value, 8));
            if (mode != null) {
                return mode;
            }
        }
        throw new Unreadable(
                "is not an octal mode of a file, directory or link (100644, 40755, 0644)");
    }

    /** The permission bits of an {@code st_mode} of a file, directory or link; else null. */
    private static Integer withFileType(int stMode) {
        return stMode <= 0177777 && FILE_TYPES.contains(stMode & S_IFMT) ? stMode & 07777 : null;
    }

    private static Long rfc3339(String value) throws Unreadable {
        if (RFC_3339.matcher(value).matches()) {
            try {
                return inRange(OffsetDateTime.parse(value).toInstant().toEpochMilli());
            } catch (DateTimeException | ArithmeticException e) {
                // an impossible date (month 13, 25 o'clock): reported below
            }
        }
        throw new Unreadable("is not an RFC 3339 time (2024-03-01T12:30:45.123456789Z)");
    }

    /** azcopy's {@code modtime}: Unix nanoseconds, or the AMLFS layout. */
    private static Long azcopyModTime(String value) throws Unreadable {
        if (UNIX_NANOS.matcher(value).matches()) {
            try {
                return inRange(Long.parseLong(value) / 1_000_000);
            } catch (NumberFormatException e) {
                throw new Unreadable("is out of range (1970 to 2262)");
            }
        }
        if (AMLFS_TIME.matcher(value).matches()) {
            try {
                return inRange(
                        OffsetDateTime.parse(value, AMLFS_TIME_FORMAT).toInstant().toEpochMilli());
            } catch (DateTimeException | ArithmeticException e) {
                // reported below
            }
        }
        throw new Unreadable(
                "is neither Unix nanoseconds (1709296245123456789) nor 2024-03-01 12:30:45 +0000");
    }

    private static Long inRange(long millis) throws Unreadable {
        if (millis < 0 || millis > MAX_MTIME_MILLIS) {
            throw new Unreadable("is out of range (1970 to 2262)");
        }
        return millis;
    }
}
