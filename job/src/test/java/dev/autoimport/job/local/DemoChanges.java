package dev.autoimport.job.local;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import dev.autoimport.job.FeedFixture;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The change generator of the continuous local run ({@code deploy/local/run.sh --continuous}).
 *
 * <ol>
 *   <li>Seeds the demo container as {@link DemoContainer} does, plus a few files under {@code
 *       projects/live/}, publishing every creation in the change feed; then creates the ready file,
 *       on which the script starts the job.
 *   <li>Waits until the job's walk is over: the Flink REST API reports the lustre sink's {@code
 *       blobSync.lastFullySynchronizedTime} above 0 on every subtask, i.e. the change feed is being
 *       read and everything it published is applied.
 *   <li>Changes the container every interval until stopped, publishing each change in the feed, and
 *       prints one line per change: new files, modified files, deleted files, {@code permissions}
 *       metadata changes and directory markers, mostly under {@code projects/live/}.
 * </ol>
 *
 * <p>Seeding and changing run in this one process because the feed has one writer: it numbers the
 * chunks and hands out the sequencers (see {@link FeedFixture}).
 *
 * <p>Usage: {@code DemoChanges <connection string> <container> <logging container> <Flink REST URL>
 * <ready file> [<milliseconds between changes>]}.
 */
public final class DemoChanges {

    static final String LIVE = "projects/live/";
    private static final String TOOL = "shared/tools/run.sh";
    private static final Map<String, String> TOOL_METADATA =
            Map.of("mtime", "2024-01-15T09:30:00Z");
    private static final String SYNCED_METRIC = "blobSync.lastFullySynchronizedTime";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final FeedFixture blobs;

    /** Live files, oldest first, with their content; and the directory markers, oldest first. */
    private final Deque<String> files = new ArrayDeque<>();

    private final Map<String, String> contents = new HashMap<>();
    private final Deque<String> directories = new ArrayDeque<>();
    private int fileCount;
    private int directoryCount;
    private int step;

    private volatile boolean stopping;

    DemoChanges(FeedFixture blobs) {
        this.blobs = blobs;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println(
                    "usage: DemoChanges <connection string> <container> <logging container>"
                            + " <Flink REST URL> <ready file> [<milliseconds between changes>]");
            System.exit(2);
        }
        URI flink = URI.create(args[3].endsWith("/") ? args[3] : args[3] + "/");
        Path ready = Path.of(args[4]);
        long intervalMillis = args.length > 5 ? Long.parseLong(args[5]) : 1500;

        DemoChanges demo = new DemoChanges(DemoContainer.create(args[0], args[1], args[2]));
        int n = DemoContainer.seed(demo.blobs) + demo.seedLive();
        System.out.println(
                "demo: container '"
                        + args[1]
                        + "' holds "
                        + n
                        + " blobs; their creation is published in the change feed");
        Files.writeString(ready, "seeded\n");

        Thread main = Thread.currentThread();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    // Let a change finish: no blob is left without its event.
                                    demo.stopping = true;
                                    try {
                                        main.join(5000);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }));
        long waited = demo.awaitWalkDone(flink);
        if (waited < 0) {
            return;
        }
        System.out.printf(
                "demo: the walk is over and the change feed is read (waited %d s);"
                        + " changing the container every %.1f s%n",
                waited / 1000, intervalMillis / 1000.0);
        while (demo.sleepUnlessStopping(intervalMillis)) {
            demo.changeOnce();
        }
    }

    /** Sleeps in short ticks; false as soon as the process is stopping. */
    private boolean sleepUnlessStopping(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!stopping) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return true;
            }
            Thread.sleep(Math.min(left, 100));
        }
        return false;
    }

    private int seedLive() {
        for (int i = 0; i < 3; i++) {
            createFile();
        }
        return 3;
    }

    /** One change of the cycle; each prints its line. */
    void changeOnce() {
        try {
            switch (step++ % 10) {
                case 0:
                case 3:
                    print("created " + createFile());
                    break;
                case 1:
                    print("modified " + modify(files.peekLast()));
                    break;
                case 6:
                    print("modified " + modify(files.peekFirst()));
                    break;
                case 2:
                    print(chmodTool());
                    break;
                case 7:
                    print(chmod(files.peekLast(), "0600", Map.of()));
                    break;
                case 4:
                case 8:
                    if (files.size() > 4) {
                        String name = files.removeFirst();
                        contents.remove(name);
                        blobs.delete(name);
                        print("deleted " + name);
                    } else {
                        print("created " + createFile());
                    }
                    break;
                case 5:
                    String dir = String.format("%sdir-%04d/", LIVE, ++directoryCount);
                    blobs.put(dir, "", Map.of("permissions", "0750"));
                    directories.addLast(dir);
                    print("mkdir 0750 " + dir + " (directory marker)");
                    break;
                case 9:
                default:
                    if (directories.size() > 2) {
                        String old = directories.removeFirst();
                        blobs.delete(old);
                        print("deleted " + old + " (directory marker)");
                    } else {
                        print("created " + createFile());
                    }
                    break;
            }
        } catch (RuntimeException e) {
            // Azurite going away as the run stops, most likely; the next change tries again.
            print("change failed: " + e);
        }
    }

    private String createFile() {
        String name = String.format("%sfile-%04d.txt", LIVE, ++fileCount);
        String content = "version 1, created " + LocalTime.now().format(CLOCK) + "\n";
        blobs.put(name, content, Map.of("permissions", "0644"));
        files.addLast(name);
        contents.put(name, content);
        return name;
    }

    private String modify(String name) {
        String content =
                contents.get(name)
                        + "version "
                        + (contents.get(name).lines().count() + 1)
                        + ", modified "
                        + LocalTime.now().format(CLOCK)
                        + "\n";
        blobs.put(name, content, Map.of("permissions", "0644"));
        contents.put(name, content);
        return name;
    }

    private String chmodTool() {
        // Alternates, starting from the seeded rwxr-xr-x.
        String mode = (step / 10) % 2 == 0 ? "0600" : "0755";
        return chmod(TOOL, mode, TOOL_METADATA);
    }

    private String chmod(String name, String mode, Map<String, String> otherMetadata) {
        Map<String, String> metadata = new HashMap<>(otherMetadata);
        metadata.put("permissions", mode);
        blobs.setMetadata(name, metadata);
        return "chmod " + mode + " " + name;
    }

    private static void print(String line) {
        System.out.println(LocalTime.now().format(CLOCK) + " demo: " + line);
    }

    /**
     * Waits until the lustre sink reports {@value #SYNCED_METRIC} above 0 on every subtask, and
     * returns how long that took in milliseconds; -1 if the process is stopping first.
     */
    private long awaitWalkDone(URI flink) throws InterruptedException {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        System.out.println(
                "demo: waiting for the walk to finish (" + SYNCED_METRIC + " at " + flink + ")");
        String metricUrl = null;
        long nextNote = 120;
        while (sleepUnlessStopping(500)) {
            try {
                if (metricUrl == null) {
                    metricUrl = findMetric(http, flink);
                }
                if (metricUrl != null && minimum(getJson(http, URI.create(metricUrl))) > 0) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (IOException | RuntimeException notYet) {
                // Flink is starting, or the job is restarting: ask again.
                metricUrl = null;
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            if (seconds >= nextNote) {
                System.out.println(
                        "demo: still waiting for the walk to finish after " + seconds + " s");
                nextNote += 120;
            }
        }
        return -1;
    }

    /** The aggregated-metric URL of the sink's synced time in the running job, or null. */
    @SuppressWarnings("unchecked")
    private static String findMetric(HttpClient http, URI flink)
            throws IOException, InterruptedException {
        Map<String, Object> overview =
                (Map<String, Object>) getJson(http, flink.resolve("jobs/overview"));
        for (Object j : (List<Object>) overview.get("jobs")) {
            Map<String, Object> job = (Map<String, Object>) j;
            if (!"RUNNING".equals(job.get("state"))) {
                continue;
            }
            String jobPath = "jobs/" + job.get("jid");
            Map<String, Object> details =
                    (Map<String, Object>) getJson(http, flink.resolve(jobPath));
            for (Object v : (List<Object>) details.get("vertices")) {
                String metrics =
                        jobPath
                                + "/vertices/"
                                + ((Map<String, Object>) v).get("id")
                                + "/subtasks/metrics";
                for (Object m : (List<Object>) getJson(http, flink.resolve(metrics))) {
                    String id = (String) ((Map<String, Object>) m).get("id");
                    if (id.endsWith(SYNCED_METRIC)) {
                        return flink.resolve(metrics)
                                + "?agg=min&get="
                                + URLEncoder.encode(id, StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static double minimum(Object aggregated) {
        List<Object> values = (List<Object>) aggregated;
        if (values.isEmpty()) {
            return 0;
        }
        Object min = ((Map<String, Object>) values.get(0)).get("min");
        return min instanceof Number ? ((Number) min).doubleValue() : 0;
    }

    private static Object getJson(HttpClient http, URI uri)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode());
        }
        try (JsonReader reader = JsonProviders.createReader(response.body())) {
            reader.nextToken();
            return reader.readUntyped();
        }
    }
}
