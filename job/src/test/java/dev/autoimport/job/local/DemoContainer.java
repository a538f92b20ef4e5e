package dev.autoimport.job.local;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * Fills the local run's demo container with a small but varied data set: nested directories,
 * directory markers with permissions, owner/group/permissions metadata, a symbolic link, a
 * zero-byte file, a name with spaces and non-ASCII characters, and one hostile name that the job
 * must refuse.
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
        var service = new BlobServiceClientBuilder().connectionString(args[0]).buildClient();
        if (args.length > 2) {
            service.getBlobContainerClient(args[2]).createIfNotExists();
        }
        BlobContainerClient c = service.getBlobContainerClient(args[1]);
        c.createIfNotExists();
        int n = seed(c);
        System.out.println("demo: container '" + args[1] + "' holds " + n + " blobs");
    }

    static int seed(BlobContainerClient c) {
        int n = 0;
        n += put(c, "projects/", "", Map.of("permissions", "0775", "owner", "0", "group", "100"));
        n += put(c, "projects/climate/", "", Map.of("permissions", "rwxr-x---"));
        n +=
                put(
                        c,
                        "projects/climate/README.md",
                        "# Climate runs\n",
                        Map.of("permissions", "0644"));
        for (int i = 0; i < 20; i++) {
            n +=
                    put(
                            c,
                            String.format("projects/climate/run-%02d/output.csv", i),
                            "step,temp\n" + "0," + (280 + i) + "\n",
                            Map.of("owner", "1000", "group", "1000", "permissions", "0640"));
        }
        n += put(c, "projects/genomics", "", Map.of("hdi_isfolder", "true", "permissions", "0750"));
        n += put(c, "projects/genomics/sample.fastq", "@r1\nACGT\n+\n!!!!\n", Map.of());
        n += put(c, "projects/genomics/empty.marker", "", Map.of());
        n += put(c, "shared/scratch/", "", Map.of("permissions", "1777"));
        n += put(c, "shared/latest", "projects/climate/run-19", Map.of("ftype", "LNK"));
        n +=
                put(
                        c,
                        "shared/tools/run.sh",
                        "#!/bin/sh\necho hello\n",
                        Map.of("permissions", "rwxr-xr-x", "mtime", "2024-01-15T09:30:00Z"));
        n += put(c, "shared/Données été/résumé 日本.txt", "non-ASCII names work\n", Map.of());
        n += put(c, "shared/../escape.txt", "refused: '..' component\n", Map.of());
        return n;
    }

    private static int put(
            BlobContainerClient c, String name, String content, Map<String, String> meta) {
        c.getBlobClient(name)
                .uploadWithResponse(
                        new BlobParallelUploadOptions(BinaryData.fromString(content))
                                .setMetadata(new HashMap<>(meta)),
                        null,
                        Context.NONE);
        return 1;
    }
}
