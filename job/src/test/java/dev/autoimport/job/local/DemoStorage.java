package dev.autoimport.job.local;

/**
 * Blob storage for trying the job on a local Flink cluster ({@code
 * deploy/standalone/demo-storage.sh}): the demo container of {@link DemoContainer} and the logging
 * container. Azurite has no change feed of its own; the demo's {@code $blobchangefeed} holds the
 * creation events of the demo blobs, written as the service would, so the auto-import job finds a
 * feed, walks, replays those events (nothing to do: it imported those versions) and then waits for
 * changes.
 *
 * <p>Usage: {@code DemoStorage <connection string> <container> <logging container>}.
 */
public final class DemoStorage {

    private DemoStorage() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println(
                    "usage: DemoStorage <connection string> <container> <logging container>");
            System.exit(2);
        }
        DemoContainer.main(args);
        System.out.println(
                "demo: the change feed ($blobchangefeed) holds the demo blobs' creation events;"
                        + " nothing changes after that");
    }
}
