package dev.autoimport.job.bench;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.netty.resources.ConnectionProvider;

/**
 * The raw ceiling of the blob server: as many GETs of the container's own blobs as it answers per
 * second, with nothing done with the bytes. Measured two ways, and the higher counts: wrk (C, a Lua
 * script cycling through the blob URLs, anonymous reads allowed on the container) and the Java SDK
 * (many threads, a connection pool as large as the thread count, bytes discarded).
 */
final class Ceiling {

    /**
     * One probe's result: GETs (or, for the listing probe, blobs listed) per second, and Azurite's
     * CPU seconds per 1,000 of them.
     */
    record Probe(
            String tool,
            int connections,
            double requestsPerSecond,
            double mibPerSecond,
            double azuriteCpuPerThousand,
            double clientCpuPerThousand) {
        boolean isListing() {
            return tool.startsWith(LISTING);
        }
    }

    static final String LISTING = "SDK listing";

    /** All probes of one container; the fastest GET probe is the ceiling. */
    record Result(List<Probe> probes) {
        Probe best() {
            Probe best = null;
            for (Probe p : probes) {
                if (p.isListing()) {
                    continue;
                }
                if (best == null || p.requestsPerSecond() > best.requestsPerSecond()) {
                    best = p;
                }
            }
            return best;
        }

        double requestsPerSecond() {
            return best().requestsPerSecond();
        }

        double mibPerSecond() {
            return best().mibPerSecond();
        }
    }

    private static final Pattern WRK_RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern WRK_TRANSFER =
            Pattern.compile("Transfer/sec:\\s+([0-9.]+)([KMG]?B)");
    private static final Pattern WRK_NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private static final String LUA =
            String.join(
                    "\n",
                    "-- Cycles through the blob paths in WRK_PATHS; each thread starts elsewhere.",
                    "local threads = 0",
                    "function setup(thread)",
                    "  thread:set('tid', threads)",
                    "  threads = threads + 1",
                    "end",
                    "function init(args)",
                    "  paths = {}",
                    "  for line in io.lines(os.getenv('WRK_PATHS')) do paths[#paths + 1] = line end",
                    "  i = math.floor((tid or 0) * #paths / 7) % #paths",
                    "end",
                    "function request()",
                    "  i = i + 1",
                    "  if i > #paths then i = 1 end",
                    "  return wrk.format('GET', paths[i])",
                    "end",
                    "");

    private final AzuriteServer azurite;
    private final Path workDir;
    private final int seconds;

    Ceiling(AzuriteServer azurite, Path workDir, int seconds) {
        this.azurite = azurite;
        this.workDir = workDir;
        this.seconds = seconds;
    }

    Result measure(String container, List<String> names, int[] wrkConnections, int sdkThreads)
            throws IOException, InterruptedException {
        Path paths = workDir.resolve("wrk-paths-" + container + ".txt");
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append('/').append(AzuriteExtension.ACCOUNT_NAME).append('/').append(container);
            sb.append('/').append(n).append('\n');
        }
        Files.writeString(paths, sb, StandardCharsets.UTF_8);
        Path script = workDir.resolve("cycle-blobs.lua");
        Files.writeString(script, LUA, StandardCharsets.UTF_8);

        List<Probe> probes = new ArrayList<>();
        for (int c : wrkConnections) {
            probes.add(wrk(paths, script, c));
        }
        if (sdkThreads > 0) {
            probes.add(sdk(container, names, sdkThreads));
        }
        probes.add(listing(container));
        return new Result(probes);
    }

    /**
     * The walk's own ceiling: one SDK client listing the container with metadata, 5,000 per page,
     * as the job's listing source asks for it, for at most the probe's duration (Azurite's cost per
     * page grows with the container, so a full listing of a large one takes minutes).
     */
    private Probe listing(String containerName) {
        BlobContainerClient container =
                new BlobServiceClientBuilder()
                        .connectionString(azurite.connectionString())
                        .buildClient()
                        .getBlobContainerClient(containerName);
        ListBlobsOptions options =
                new ListBlobsOptions()
                        .setMaxResultsPerPage(5000)
                        .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        double cpu0 = azurite.cpuSeconds();
        double own0 = ProcStats.ownCpuSeconds();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        long n = 0;
        for (PagedResponse<BlobItem> page : container.listBlobs(options, null).iterableByPage()) {
            n += page.getValue().size();
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double az = azurite.cpuSeconds() - cpu0;
        double own = ProcStats.ownCpuSeconds() - own0;
        return new Probe(LISTING + " (metadata)", 1, n / elapsed, 0, az * 1000 / n, own * 1000 / n);
    }

    private Probe wrk(Path paths, Path script, int connections)
            throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(
                        "/usr/bin/time",
                        "-f",
                        "%U %S",
                        "-o",
                        workDir.resolve("wrk-time.txt").toString(),
                        "wrk",
                        "-t2",
                        "-c" + connections,
                        "-d" + seconds + "s",
                        "-s",
                        script.toString(),
                        "http://127.0.0.1:" + azurite.port());
        pb.environment().put("WRK_PATHS", paths.toString());
        pb.redirectErrorStream(true);
        double cpu0 = azurite.cpuSeconds();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("wrk failed: " + out);
        }
        double az = azurite.cpuSeconds() - cpu0;
        Matcher non2xx = WRK_NON_2XX.matcher(out);
        if (non2xx.find()) {
            throw new IOException(
                    "wrk got " + non2xx.group(1) + " non-2xx answers (blob access?): " + out);
        }
        Matcher rps = WRK_RPS.matcher(out);
        Matcher tr = WRK_TRANSFER.matcher(out);
        if (!rps.find() || !tr.find()) {
            throw new IOException("cannot read wrk's output: " + out);
        }
        double mib = Double.parseDouble(tr.group(1));
        switch (tr.group(2)) {
            case "GB":
                mib *= 1024;
                break;
            case "KB":
                mib /= 1024;
                break;
            case "B":
                mib /= 1024 * 1024;
                break;
            default:
                break;
        }
        double rate = Double.parseDouble(rps.group(1));
        String[] t = Files.readString(workDir.resolve("wrk-time.txt")).trim().split("\\s+");
        double wrkCpu = Double.parseDouble(t[0]) + Double.parseDouble(t[1]);
        double requests = rate * seconds;
        return new Probe(
                "wrk", connections, rate, mib, az * 1000 / requests, wrkCpu * 1000 / requests);
    }

    private Probe sdk(String containerName, List<String> names, int threads)
            throws InterruptedException {
        ConnectionProvider pool =
                ConnectionProvider.builder("bench-ceiling").maxConnections(threads).build();
        HttpClient http = new NettyAsyncHttpClientBuilder().connectionProvider(pool).build();
        BlobContainerClient container =
                new BlobServiceClientBuilder()
                        .connectionString(azurite.connectionString())
                        .httpClient(http)
                        .buildClient()
                        .getBlobContainerClient(containerName);
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        OutputStream sink =
                new OutputStream() {
                    @Override
                    public void write(int b) {}

                    @Override
                    public void write(byte[] b, int off, int len) {}
                };
        ExecutorService pool2 = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(
                    pool2.submit(
                            () -> {
                                while (!stop.get()) {
                                    String n =
                                            names.get(
                                                    (int) (next.getAndIncrement() % names.size()));
                                    long size =
                                            container
                                                    .getBlobClient(n)
                                                    .downloadStreamWithResponse(
                                                            sink,
                                                            null,
                                                            null,
                                                            null,
                                                            false,
                                                            null,
                                                            com.azure.core.util.Context.NONE)
                                                    .getDeserializedHeaders()
                                                    .getContentLength();
                                    if (counting.get()) {
                                        done.incrementAndGet();
                                        bytes.addAndGet(size);
                                    }
                                }
                                return null;
                            }));
        }
        Thread.sleep(2000); // warm-up: JIT and connections
        double cpu0 = azurite.cpuSeconds();
        double own0 = ProcStats.ownCpuSeconds();
        counting.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        counting.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double az = azurite.cpuSeconds() - cpu0;
        double own = ProcStats.ownCpuSeconds() - own0;
        stop.set(true);
        pool2.shutdown();
        pool2.awaitTermination(30, TimeUnit.SECONDS);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("SDK probe failed", e.getCause());
            }
        }
        pool.dispose();
        return new Probe(
                "Java SDK",
                threads,
                done.get() / elapsed,
                bytes.get() / elapsed / (1 << 20),
                az * 1000 / done.get(),
                own * 1000 / done.get());
    }
}
