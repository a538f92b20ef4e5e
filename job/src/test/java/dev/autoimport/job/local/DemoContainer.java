package dev.autoimport.job.local;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.autoimport.job.FeedFixture;
import java.util.Map;

/**
 * Fills the local run's demo container with a small but varied data set: nested directories,
 * directory markers with permissions, owner/group/permissions metadata, a symbolic link, a
 * zero-byte file, a name with spaces and non-ASCII characters, and one hostile name that the job
 * must refuse. Each blob's creation is published in the change feed too ({@link FeedFixture}), so
 * the feed exists before a job starts, as on an account with the change feed enabled.
 *
 * <p>Usage: {@code DemoContainer <connection string> <container> [<logging container>]}.
 */
public final class DemoContainer {

    private DemoContainer() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println(
                    "usage: DemoContainer <connection string> <container> [<logging container>]");
            System.exit(2);
        }
        FeedFixture blobs = create(args[0], args[1], args.length > 2 ? args[2] : null);
        int n = seed(blobs);
        System.out.println("demo: container '" + args[1] + "' holds " + n + " blobs");
    }

    /**
     * Creates the containers and returns the fixture that changes the demo container and publishes
     * each change in the change feed.
     */
    static FeedFixture create(String connectionString, String container, String loggingContainer) {
        BlobServiceClient service =
                new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        if (loggingContainer != null) {
            service.getBlobContainerClient(loggingContainer).createIfNotExists();
        }
        BlobContainerClient c = service.getBlobContainerClient(container);
        c.createIfNotExists();
        return new FeedFixture(service, c);
    }

    /** Uploads the data set and publishes each blob's creation event, as the service would. */
    static int seed(FeedFixture blobs) {
        int n = 0;
        n +=
                put(
                        blobs,
                        "projects/",
                        "",
                        Map.of("permissions", "0775", "owner", "0", "group", "100"));
        n += put(blobs, "projects/climate/", "", Map.of("permissions", "rwxr-x---"));
        n +=
                put(
                        blobs,
                        "projects/climate/README.md",
                        "# Climate runs\n",
                        Map.of("permissions", "0644"));
        for (int i = 0; i < 20; i++) {
            n +=
                    put(
                            blobs,
                            String.format("projects/climate/run-%02d/output.csv", i),
                            "step,temp\n" + "0," + (280 + i) + "\n",
                            Map.of("owner", "1000", "group", "1000", "permissions", "0640"));
        }
        n +=
                put(
                        blobs,
                        "projects/genomics",
                        "",
                        Map.of("hdi_isfolder", "true", "permissions", "0750"));
        n += put(blobs, "projects/genomics/sample.fastq", "@r1\nACGT\n+\n!!!!\n", Map.of());
        n += put(blobs, "projects/genomics/empty.marker", "", Map.of());
        n += put(blobs, "shared/scratch/", "", Map.of("permissions", "1777"));
        // A link target resolves from the link's own directory, as ln -s would make it.
        n += put(blobs, "shared/latest", "../projects/climate/run-19", Map.of("ftype", "LNK"));
        n +=
                put(
                        blobs,
                        "shared/tools/run.sh",
                        "#!/bin/sh\necho hello\n",
                        Map.of("permissions", "rwxr-xr-x", "mtime", "2024-01-15T09:30:00Z"));
        n += put(blobs, "shared/Données été/résumé 日本.txt", "non-ASCII names work\n", Map.of());
        n += put(blobs, "shared/../escape.txt", "refused: '..' component\n", Map.of());
        return n;
    }

    private static int put(
            FeedFixture blobs, String name, String content, Map<String, String> meta) {
        blobs.put(name, content, meta);
        return 1;
    }
}
