package dev.autoimport.job.bench;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobServiceAsyncClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.PublicAccessType;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The benchmark's containers and how they are seeded: small blobs (1–4 KiB) in nested virtual
 * directories with a few metadata keys, or a mixed-size container. Every byte and name follows from
 * the blob's index, so a run on another machine seeds exactly the same data.
 */
final class Corpus {

    /** Uploads in flight while seeding. */
    private static final int UPLOAD_CONCURRENCY = 64;

    /** Modification time of seeded blobs: fixed, so that rclone and the job see the same time. */
    private static final Instant BASE_TIME = Instant.parse("2024-01-01T00:00:00Z");

    /** One benchmark container. */
    record Spec(String container, int blobs, boolean mixed) {
        String label() {
            return mixed ? "mixed" : String.format("%,d", blobs);
        }
    }

    /**
     * What a seeding pass uploaded; {@code etags[i]} is blob i's etag, bare as the feed gives it.
     */
    record Seeded(List<String> names, String[] etags, long bytes, double seconds) {}

    /** One blob written by a change: its name, its new etag (bare) and size. */
    record Uploaded(String name, String etag, long size) {}

    private final BlobServiceAsyncClient service;

    Corpus(String connectionString) {
        this.service =
                new BlobServiceClientBuilder()
                        .connectionString(connectionString)
                        .buildAsyncClient();
    }

    /** Small blobs: {@code tNN/dNNN/fNNNNNNN.dat}, 20 × 50 virtual directories. */
    static String smallName(int i) {
        return String.format("t%02d/d%03d/f%07d.dat", i % 20, (i / 20) % 50, i);
    }

    static int smallSize(long seed, int i) {
        return 1024 + new SplittableRandom(seed * 1_000_003L + i).nextInt(3 * 1024 + 1);
    }

    /**
     * Mixed sizes: 300 blobs of 1 KiB–1 MiB, 90 of 1–8 MiB and 10 of 16–40 MiB (log-uniform within
     * each band), about 0.6 GB in all.
     */
    static long mixedSize(int i) {
        SplittableRandom r = new SplittableRandom(7_777L + i);
        double lo;
        double hi;
        if (i % 40 == 0) {
            lo = 16 << 20;
            hi = 40 << 20;
        } else if (i % 40 < 10) {
            lo = 1 << 20;
            hi = 8 << 20;
        } else {
            lo = 1 << 10;
            hi = 1 << 20;
        }
        return Math.round(Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo))));
    }

    static String mixedName(int i) {
        return String.format("m%02d/s%02d/b%05d.bin", i % 8, (i / 8) % 5, i);
    }

    static Map<String, String> metadata(int i, Instant mtime) {
        Map<String, String> m = new HashMap<>();
        m.put("mtime", mtime.toString());
        m.put("permissions", i % 3 == 0 ? "0640" : "0644");
        m.put("project", "bench-" + (i % 7));
        return m;
    }

    static byte[] content(long seed, int length) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = 0; k < length; k += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && k + j < length; j++) {
                b[k + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    /** Creates the container (anonymous read of blobs, for wrk) and uploads its blobs. */
    Seeded seed(Spec spec) {
        BlobContainerAsyncClient container = service.getBlobContainerAsyncClient(spec.container());
        container.createIfNotExists().block();
        container.setAccessPolicy(PublicAccessType.BLOB, null).block();
        long start = System.nanoTime();
        List<String> names = new ArrayList<>(spec.blobs());
        long bytes = 0;
        for (int i = 0; i < spec.blobs(); i++) {
            names.add(spec.mixed() ? mixedName(i) : smallName(i));
            bytes += spec.mixed() ? mixedSize(i) : smallSize(0, i);
        }
        String[] etags = new String[spec.blobs()];
        Flux.range(0, spec.blobs())
                .flatMap(
                        i -> {
                            int size = (int) (spec.mixed() ? mixedSize(i) : smallSize(0, i));
                            return upload(
                                            container,
                                            names.get(i),
                                            content(i, size),
                                            metadata(i, BASE_TIME.plusSeconds(i)))
                                    .doOnNext(u -> etags[i] = u.etag());
                        },
                        spec.mixed() ? 4 : UPLOAD_CONCURRENCY)
                .blockLast();
        return new Seeded(names, etags, bytes, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The same 100 changes on every container: 60 existing blobs rewritten (new size, new bytes,
     * new {@code mtime}) and 40 new blobs in a new virtual directory. No deletions: the import
     * job's walk computes none (SPEC 1), so rclone is compared on what both apply. Round 2 and
     * later rewrite the same 100 blobs again, with other bytes (for the auto-import job, which
     * starts after round 1 was mirrored).
     *
     * @return the 100 blobs as written, for their change-feed events
     */
    List<Uploaded> applyHundredChanges(Spec spec, int round) {
        BlobContainerAsyncClient container = service.getBlobContainerAsyncClient(spec.container());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Mono<Uploaded>> uploads = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            int i = (int) ((long) k * spec.blobs() / 60) + 7;
            uploads.add(
                    upload(
                            container,
                            smallName(i),
                            content(round * 1_000_000_007L + i, changedSize(round, i)),
                            metadata(i, now)));
        }
        for (int k = 0; k < 40; k++) {
            String name = String.format("t%02d/new/c%03d.dat", k % 20, k);
            uploads.add(
                    upload(
                            container,
                            name,
                            content(round * 2_000_000_011L + k, 2048),
                            metadata(k, now)));
        }
        return Flux.fromIterable(uploads).flatMap(m -> m, 16).collectList().block();
    }

    /**
     * Rewrites blobs of a small container with new bytes of a new size (same {@code mtime}), 64
     * uploads in flight; returns them in the order given.
     */
    List<Uploaded> rewrite(Spec spec, List<Integer> indices, int round) {
        BlobContainerAsyncClient container = service.getBlobContainerAsyncClient(spec.container());
        return Flux.fromIterable(indices)
                .flatMapSequential(
                        i ->
                                upload(
                                        container,
                                        smallName(i),
                                        content(round * 1_000_000_007L + i, changedSize(round, i)),
                                        metadata(i, BASE_TIME.plusSeconds(i))),
                        UPLOAD_CONCURRENCY)
                .collectList()
                .block();
    }

    /** The size of small blob {@code i} after change round {@code round}: never its seeded size. */
    static int changedSize(int round, int i) {
        int size = smallSize(round, i);
        return size == smallSize(0, i) ? size + 1 : size;
    }

    /**
     * Writes, without the blob service, the tree that importing a small container leaves: every
     * blob's bytes, {@code permissions} and {@code mtime}, owned by this user. A walk over it finds
     * every path pre-existing (SPEC 4: kind, size, modification time, mode and owner match).
     */
    static void writeMirror(Spec spec, Path root) throws IOException {
        for (int i = 0; i < spec.blobs(); i++) {
            Path file = root.resolve(smallName(i));
            Files.createDirectories(file.getParent());
            Files.write(file, content(i, smallSize(0, i)));
            Files.setPosixFilePermissions(
                    file, PosixFilePermissions.fromString(i % 3 == 0 ? "rw-r-----" : "rw-r--r--"));
            Files.setLastModifiedTime(file, FileTime.from(BASE_TIME.plusSeconds(i)));
        }
    }

    private static Mono<Uploaded> upload(
            BlobContainerAsyncClient container,
            String name,
            byte[] bytes,
            Map<String, String> metadata) {
        return container
                .getBlobAsyncClient(name)
                .uploadWithResponse(
                        new BlobParallelUploadOptions(BinaryData.fromBytes(bytes))
                                .setMetadata(metadata))
                .map(r -> new Uploaded(name, bare(r.getValue().getETag()), bytes.length));
    }

    /** The ETag header quotes etags; listings and the change feed give them bare. */
    private static String bare(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }
}
