package dev.autoimport.job.local;

import com.azure.storage.blob.BlobServiceClientBuilder;

/**
 * Blob storage for trying the job on a local Flink cluster ({@code
 * deploy/standalone/demo-storage.sh}): the demo container of {@link DemoContainer}, the logging
 * container, and an empty {@code $blobchangefeed}. Azurite has no change feed of its own; with the
 * container present the auto-import job finds a feed that has published nothing, walks, and then
 * waits for changes instead of failing.
 *
 * <p>Usage: {@code DemoStorage <connection string> <container> <logging container>}.
 */
public final class DemoStorage {

    /** Where the service keeps the change feed; names starting with '$' skip validation. */
    static final String CHANGE_FEED_CONTAINER = "$blobchangefeed";

    private DemoStorage() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println(
                    "usage: DemoStorage <connection string> <container> <logging container>");
            System.exit(2);
        }
        DemoContainer.main(args);
        new BlobServiceClientBuilder()
                .connectionString(args[0])
                .buildClient()
                .getBlobContainerClient(CHANGE_FEED_CONTAINER)
                .createIfNotExists();
        System.out.println("demo: an empty change feed (" + CHANGE_FEED_CONTAINER + ")");
    }
}
