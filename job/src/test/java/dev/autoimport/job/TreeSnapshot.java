package dev.autoimport.job;

import dev.autoimport.connector.lustre.LustrePaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every entry under a directory with its kind, mode, owner, size, mtime (seconds) and content
 * digest (link target for links), so two trees compare byte for byte and attribute for attribute.
 */
final class TreeSnapshot {

    private TreeSnapshot() {}

    /** The mirror under {@code root}: every entry but the sink's reserved directory. */
    static Map<String, String> ofMirror(Path root, boolean withDirectoryTimes) throws IOException {
        Map<String, String> entries = of(root, withDirectoryTimes);
        entries.keySet().removeIf(path -> path.startsWith(LustrePaths.RESERVED_NAME));
        return entries;
    }

    static Map<String, String> of(Path root, boolean withDirectoryTimes) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Files.walkFileTree(
                root,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                            throws IOException {
                        if (!dir.equals(root)) {
                            entries.put(
                                    root.relativize(dir).toString(),
                                    describe(dir, withDirectoryTimes));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        entries.put(root.relativize(file).toString(), describe(file, true));
                        return FileVisitResult.CONTINUE;
                    }
                });
        return entries;
    }

    static String describe(Path p, boolean withTime) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String kind;
        String content;
        if (Files.isSymbolicLink(p)) {
            kind = "link";
            content = "-> " + Files.readSymbolicLink(p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            kind = "dir";
            content = "";
        } else {
            kind = "file";
            content = "sha256=" + sha256(p) + " size=" + a.get("size");
        }
        long mtime =
                ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
        return String.format(
                "%s %04o %s:%s %s%s",
                kind,
                mode & 07777,
                a.get("uid"),
                a.get("gid"),
                content,
                withTime && !kind.equals("link") ? " mtime=" + mtime : "");
    }

    private static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
