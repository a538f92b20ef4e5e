package dev.autoimport.job;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the POSIX attributes a blob carries in its metadata (SPEC section 3): {@code owner}, {@code
 * group}, {@code permissions}, {@code mtime}, and the markers {@code hdi_isfolder} and {@code
 * ftype}. Keys match case-insensitively. An unreadable value becomes a warning and the default,
 * never an exception: one odd blob must not stop a mirror.
 */
public final class PosixMetadata {

    static final String OWNER = "owner";
    static final String GROUP = "group";
    static final String PERMISSIONS = "permissions";
    static final String MTIME = "mtime";
    static final String IS_FOLDER = "hdi_isfolder";
    static final String FILE_TYPE = "ftype";

    private static final Pattern OCTAL = Pattern.compile("^0?[0-7]{3,4}$");
    private static final Pattern SYMBOLIC =
            Pattern.compile("^[-dl]?[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-]$");

    /** Owner or null when absent/unreadable. */
    public final Integer uid;

    public final Integer gid;

    /** Permission bits (07777 mask) or null when absent/unreadable. */
    public final Integer mode;

    /** Modification time from {@code mtime}, or null when absent/unreadable. */
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
        List<String> warnings = new ArrayList<>();
        Integer uid = null;
        Integer gid = null;
        Integer mode = null;
        Long mtime = null;
        boolean folder = false;
        boolean link = false;
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                String key = e.getKey() == null ? "" : e.getKey().toLowerCase(Locale.ROOT);
                String value = e.getValue() == null ? "" : e.getValue().trim();
                switch (key) {
                    case OWNER:
                        uid = parseId(value, key, warnings);
                        break;
                    case GROUP:
                        gid = parseId(value, key, warnings);
                        break;
                    case PERMISSIONS:
                        mode = parsePermissions(value, warnings);
                        break;
                    case MTIME:
                        mtime = parseMtime(value, warnings);
                        break;
                    case IS_FOLDER:
                        folder = value.equalsIgnoreCase("true");
                        break;
                    case FILE_TYPE:
                        link = value.equalsIgnoreCase("LNK");
                        break;
                    default:
                        break;
                }
            }
        }
        return new PosixMetadata(uid, gid, mode, mtime, folder, link, warnings);
    }

    static Integer parseId(String value, String key, List<String> warnings) {
        if (value.equalsIgnoreCase("root")) {
            return 0;
        }
        try {
            long id = Long.parseLong(value);
            if (id >= 0 && id <= 0xFFFF_FFFEL) {
                return (int) id;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        warnings.add(
                "metadata "
                        + key
                        + "='"
                        + value
                        + "' is not a numeric id or 'root'; using the job's own "
                        + (key.equals(OWNER) ? "user" : "group"));
        return null;
    }

    /** Octal ({@code 0755}, {@code 1777}) or symbolic ({@code rwxr-xr-x}, sticky {@code t}). */
    static Integer parsePermissions(String value, List<String> warnings) {
        if (OCTAL.matcher(value).matches()) {
            return Integer.parseInt(value, 8);
        }
        if (SYMBOLIC.matcher(value).matches()) {
            String s = value.length() == 10 ? value.substring(1) : value;
            int mode = 0;
            for (int i = 0; i < 9; i++) {
                char c = s.charAt(i);
                int bit = 1 << (8 - i);
                if (c != '-' && c != 'S' && c != 'T') {
                    mode |= bit;
                }
            }
            if (s.charAt(2) == 's' || s.charAt(2) == 'S') {
                mode |= 04000;
            }
            if (s.charAt(5) == 's' || s.charAt(5) == 'S') {
                mode |= 02000;
            }
            if (s.charAt(8) == 't' || s.charAt(8) == 'T') {
                mode |= 01000;
            }
            return mode;
        }
        warnings.add(
                "metadata permissions='"
                        + value
                        + "' is neither octal (0755) nor symbolic (rwxr-xr-x); using the default");
        return null;
    }

    /** RFC 3339 as rclone writes it; plain epoch seconds are accepted too. */
    static Long parseMtime(String value, List<String> warnings) {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException notRfc3339) {
            try {
                double seconds = Double.parseDouble(value);
                if (Double.isFinite(seconds) && seconds >= 0) {
                    return Instant.ofEpochMilli(Math.round(seconds * 1000)).toEpochMilli();
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        warnings.add(
                "metadata mtime='"
                        + value
                        + "' is not an RFC 3339 time; using the blob's Last-Modified");
        return null;
    }
}
