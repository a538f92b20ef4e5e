package dev.autoimport.connector.blob.listing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container's worth of blobs shaped like a real import: several first-level directories, nested
 * levels, directory markers of both kinds, names with spaces and non-ASCII characters, and metadata
 * on some blobs.
 */
final class ListingFixture {

    static final List<String> FIRST_LEVEL =
            List.of("alpha/", "beta/", "gamma/", "données/", "my dir/", "日本語/");

    private ListingFixture() {}

    static List<TestBlobs.Spec> blobs(int perDirectory) {
        List<TestBlobs.Spec> specs = new ArrayList<>();
        for (String directory : FIRST_LEVEL) {
            for (int i = 0; i < perDirectory; i++) {
                String name = directory + "sub " + (i % 3) + "/file " + i + ".txt";
                specs.add(new TestBlobs.Spec(name, i % 17, i % 4 == 0 ? posix(i) : Map.of()));
            }
        }
        specs.add(new TestBlobs.Spec("alpha/", 0, Map.of()));
        specs.add(new TestBlobs.Spec("beta/sub 0", 0, Map.of("hdi_isfolder", "true")));
        specs.add(new TestBlobs.Spec("gamma/empty dir/", 0, posix(755)));
        specs.add(new TestBlobs.Spec("top marker/", 0, Map.of()));
        specs.add(new TestBlobs.Spec("données/été/café.txt", 5, Map.of("owner", "root")));
        specs.add(new TestBlobs.Spec("readme.txt", 11, Map.of()));
        specs.add(new TestBlobs.Spec("bell.txt", 4, Map.of("mtime", "2024-01-02T03:04:05Z")));
        specs.add(new TestBlobs.Spec("link", 9, Map.of("ftype", "LNK")));
        return specs;
    }

    private static Map<String, String> posix(int i) {
        return Map.of("owner", "" + (1000 + i), "group", "100", "permissions", "0640");
    }
}
