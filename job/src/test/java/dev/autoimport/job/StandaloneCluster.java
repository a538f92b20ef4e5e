package dev.autoimport.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Flink session cluster (separate JobManager and TaskManager JVMs) run by {@code
 * deploy/standalone/cluster.sh}, in its own state directory and on free ports, talked to through
 * {@code flink.sh} and the REST API, as an operator would.
 *
 * <p>Flink's jars are resolved once into {@code deploy/standalone/target/lib} (the scripts'
 * default) and shared by every cluster, test or not. {@link #close()} stops the cluster and then
 * kills whatever process of it is still alive.
 */
final class StandaloneCluster implements AutoCloseable {

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    /** Liveness bound for one script run; the scripts have their own, shorter ones. */
    private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(10);

    private final Path repository;
    private final Path stateDir;
    private final Path libDir;
    private final int restPort;
    private final int rpcPort;
    private final AtomicInteger commands = new AtomicInteger();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-reaper");
    private boolean hookInstalled;
    private String lastJobManagerCpuTime = "";
    private long metricStoreChangedAt = System.nanoTime();

    StandaloneCluster(Path stateDir) throws IOException {
        this.repository = AzuriteExtension.repositoryRoot();
        this.stateDir = Files.createDirectories(stateDir);
        this.libDir = repository.resolve("deploy/standalone/target/lib");
        this.restPort = freePort();
        this.rpcPort = freePort();
    }

    Path stateDir() {
        return stateDir;
    }

    String restUrl() {
        return "http://localhost:" + restPort;
    }

    /** {@code cluster.sh start --taskmanagers n -D ...}; returns once all are registered. */
    void start(int taskManagers, String... settings) throws IOException, InterruptedException {
        if (!hookInstalled) {
            // A JVM that dies without running @AfterAll still takes the cluster down with it.
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            hookInstalled = true;
        }
        List<String> args = new ArrayList<>(List.of("start", "--taskmanagers", "" + taskManagers));
        for (String s : settings) {
            args.add("-D");
            args.add(s);
        }
        script("cluster.sh", args);
    }

    /** {@code cluster.sh add-taskmanager}; returns the new TaskManager's id ({@code tm-<n>}). */
    String addTaskManager() throws IOException, InterruptedException {
        String out = script("cluster.sh", List.of("add-taskmanager")).strip();
        return out.substring(out.lastIndexOf('\n') + 1).strip();
    }

    /**
     * {@code cluster.sh resume <job>}: the job's newest retained checkpoint resubmitted (the
     * cluster started again if its JobManager is gone); returns the new job's id and what the
     * script printed.
     */
    Result resume(String jobNameOrId) throws IOException, InterruptedException {
        String out = script("cluster.sh", List.of("resume", jobNameOrId));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cluster.sh resume printed no job id:\n" + out);
        }
        return new Result(0, out, m.group(1));
    }

    /** Runs a script like {@link #script} with more environment, and never fails on its exit. */
    Result tryScript(String name, List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        Process p = startScript(name, args, env);
        Path out = lastOutput;
        if (!p.waitFor(SCRIPT_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " " + args + " did not return; see " + out);
        }
        return new Result(p.exitValue(), Files.readString(out), null);
    }

    /** What a script run printed and how it exited. */
    static final class Result {
        final int code;
        final String output;
        final String jobId;

        Result(int code, String output, String jobId) {
            this.code = code;
            this.output = output;
            this.jobId = jobId;
        }
    }

    /** {@code kill -9} of the JobManager; returns its pid once it has exited. */
    long killJobManager() throws IOException {
        long pid = pid("jobmanager");
        ProcessHandle process =
                ProcessHandle.of(pid)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "the JobManager (pid " + pid + ") is not running"));
        process.destroyForcibly(); // SIGKILL
        Wait.until(
                "the JobManager (pid " + pid + ") to exit after SIGKILL",
                Duration.ofSeconds(60),
                Duration.ofMillis(100),
                () -> process.isAlive() ? "alive" : "exited",
                "exited"::equals);
        return pid;
    }

    /** The pids in the TaskManagers' pid files whose process is alive, by pid file name. */
    Map<String, Long> liveTaskManagers() throws IOException {
        Map<String, Long> live = new LinkedHashMap<>();
        Path pids = stateDir.resolve("pids");
        if (!Files.isDirectory(pids)) {
            return live;
        }
        try (Stream<Path> files = Files.list(pids)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("taskmanager-") && name.endsWith(".pid")) {
                    long pid = Long.parseLong(Files.readString(f).strip());
                    if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()) {
                        live.put(name.substring(0, name.length() - ".pid".length()), pid);
                    }
                }
            }
        }
        return live;
    }

    /** {@code cluster.sh stop}: TaskManagers, then the JobManager. */
    void stop() throws IOException, InterruptedException {
        script("cluster.sh", List.of("stop"));
    }

    /** Runs {@code flink.sh} (Flink's CLI) against this cluster and returns what it printed. */
    String flink(String... args) throws IOException, InterruptedException {
        return script("flink.sh", List.of(args));
    }

    /** {@code flink.sh run -d ...}; returns the new job's id. */
    String submit(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("run", "-d"));
        all.addAll(List.of(args));
        String out = flink(all.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("flink run printed no job id:\n" + out);
        }
        return m.group(1);
    }

    /** {@code flink.sh stop --savepointPath dir jobId}; returns the savepoint's path. */
    String stopWithSavepoint(String jobId, Path dir) throws IOException, InterruptedException {
        String out = flink("stop", "--savepointPath", dir.toUri().toString(), jobId);
        Matcher m = SAVEPOINT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("flink stop printed no savepoint path:\n" + out);
        }
        return m.group(1);
    }

    /** GET on the REST API. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body());
    }

    /** The job's vertices: id by name. */
    Map<String, String> vertices(String jobId) throws IOException, InterruptedException {
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + jobId).get("vertices")) {
            ids.put(v.get("name").asText(), v.get("id").asText());
        }
        return ids;
    }

    /**
     * An operator metric summed over the subtasks of the current attempts, e.g. {@code
     * fullSync.importedFiles}; empty when no vertex registers it (yet).
     */
    Optional<Long> metric(String jobId, String suffix) throws IOException, InterruptedException {
        long sum = 0;
        boolean found = false;
        for (String vertex : vertices(jobId).values()) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(base)) {
                if (m.get("id").asText().endsWith("." + suffix)) {
                    ids.add(m.get("id").asText());
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode m : get(base + "?agg=sum&get=" + query)) {
                sum += (long) m.get("sum").asDouble();
                found = true;
            }
        }
        return found ? Optional.of(sum) : Optional.empty();
    }

    /** The TaskManagers ({@code tm-<n>}) that run a subtask of the job. */
    List<String> taskManagersOf(String jobId) throws IOException, InterruptedException {
        List<String> tms = new ArrayList<>();
        for (String vertex : vertices(jobId).values()) {
            for (JsonNode s : get("/jobs/" + jobId + "/vertices/" + vertex).get("subtasks")) {
                String tm = s.path("taskmanager-id").asText("");
                if (!tm.isEmpty() && !tms.contains(tm)) {
                    tms.add(tm);
                }
            }
        }
        return tms;
    }

    /** {@code counts.restored} of {@code /jobs/<id>/checkpoints}. */
    long restoredCount(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").get("counts").get("restored").asLong();
    }

    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).get("state").asText();
    }

    /**
     * {@code "RUNNING: all"} when the job and every one of its vertices are RUNNING; otherwise the
     * job's state and each vertex's, for a wait's failure message.
     */
    String taskStates(String jobId) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        String state = job.get("state").asText();
        boolean all = "RUNNING".equals(state);
        List<String> vertices = new ArrayList<>();
        for (JsonNode v : job.get("vertices")) {
            String status = v.get("status").asText();
            all &= "RUNNING".equals(status);
            vertices.add(v.get("name").asText() + ": " + status);
        }
        return all ? "RUNNING: all" : "job " + state + ", " + String.join(", ", vertices);
    }

    /** {@code kill -9} of one TaskManager, by its id ({@code tm-<n>}); returns its pid. */
    long killTaskManager(String tmId) throws IOException {
        long pid = pid("taskmanager-" + tmId.substring("tm-".length()));
        ProcessHandle process =
                ProcessHandle.of(pid)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                tmId + " (pid " + pid + ") is not running"));
        process.destroyForcibly(); // SIGKILL
        Wait.until(
                "TaskManager " + tmId + " (pid " + pid + ") to exit after SIGKILL",
                Duration.ofSeconds(60),
                Duration.ofMillis(100),
                () -> process.isAlive() ? "alive" : "exited",
                "exited"::equals);
        return pid;
    }

    /**
     * How long ago the REST API's metric store last changed, judged by the JobManager's own CPU
     * time (which grows between any two fetches). Flink fetches all metrics in one round and starts
     * no new round before every query of the last one has answered or timed out ({@code
     * web.timeout}), so a query to a TaskManager that died mid-round freezes every metric, of every
     * job, until then. Reported when a metric wait fails, to tell that apart from a missing metric.
     */
    String metricStoreFreshness() {
        try {
            JsonNode m = get("/jobmanager/metrics?get=Status.JVM.CPU.Time");
            String value = m.path(0).path("value").asText("");
            long now = System.nanoTime();
            if (!value.equals(lastJobManagerCpuTime)) {
                lastJobManagerCpuTime = value;
                metricStoreChangedAt = now;
            }
            return String.format(
                    "the REST API's metric store last changed %d s ago",
                    TimeUnit.NANOSECONDS.toSeconds(now - metricStoreChangedAt));
        } catch (IOException | RuntimeException e) {
            return "the REST API's metric store could not be read: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The live processes started for this cluster: by pid file, and any other with its config. */
    List<ProcessHandle> liveProcesses() throws IOException {
        List<ProcessHandle> live = new ArrayList<>();
        Path pids = stateDir.resolve("pids");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.toString().endsWith(".pid")) {
                        ProcessHandle.of(Long.parseLong(Files.readString(f).strip()))
                                .filter(ProcessHandle::isAlive)
                                .filter(this::isOurs)
                                .ifPresent(live::add);
                    }
                }
            }
        }
        ProcessHandle.allProcesses()
                .filter(this::isOurs)
                .filter(p -> !live.contains(p))
                .forEach(live::add);
        return live;
    }

    /** Stops the cluster, then SIGKILLs anything of it still alive. Safe to call twice. */
    @Override
    public void close() {
        try {
            if (Files.isDirectory(stateDir.resolve("pids"))) {
                script("cluster.sh", List.of("stop"));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cluster.sh stop failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killAll();
        if (hookInstalled) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
            hookInstalled = false;
        }
    }

    /**
     * SIGKILLs every process of this cluster and waits until they are gone, so their ports and
     * files are free when this returns (also from the shutdown hook, when the test JVM dies).
     */
    private void killAll() {
        List<ProcessHandle> live;
        try {
            live = liveProcesses();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (ProcessHandle p : live) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : live) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                System.err.println(
                        "cluster process " + p.pid() + " still alive 30 s after SIGKILL: " + e);
            }
        }
    }

    /** A process whose command line names this cluster's config directory. */
    private boolean isOurs(ProcessHandle p) {
        String conf = "--configDir " + stateDir.resolve("conf");
        return p.info().arguments().map(a -> String.join(" ", a).contains(conf)).orElse(false);
    }

    private long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(stateDir.resolve("pids/" + name + ".pid")).strip());
    }

    /**
     * Runs a script of deploy/standalone with this cluster's environment; its output goes to a file
     * under {@code <state>/test-commands/}. Fails with that output when the script fails.
     */
    private String script(String name, List<String> args) throws IOException, InterruptedException {
        Process p = startScript(name, args, Map.of());
        Path out = lastOutput;
        if (!p.waitFor(SCRIPT_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " " + args + " did not return; see " + out);
        }
        String printed = Files.readString(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    name + " " + args + " exited with " + p.exitValue() + ":\n" + printed);
        }
        return printed;
    }

    /** The output file of the last script started. */
    private Path lastOutput;

    private Process startScript(String name, List<String> args, Map<String, String> extraEnv)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(repository.resolve("deploy/standalone/" + name).toString());
        command.addAll(args);
        Path out =
                Files.createDirectories(stateDir.resolve("test-commands"))
                        .resolve(
                                String.format(
                                        "%02d-%s-%s.log",
                                        commands.incrementAndGet(),
                                        name.replace(".sh", ""),
                                        args.isEmpty() ? "" : args.get(0)));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectOutput(out.toFile());
        pb.directory(repository.toFile());
        Map<String, String> env = pb.environment();
        env.put("AUTO_IMPORT_STATE_DIR", stateDir.toString());
        env.put("AUTO_IMPORT_REST_PORT", Integer.toString(restPort));
        env.put("AUTO_IMPORT_RPC_PORT", Integer.toString(rpcPort));
        env.put("AUTO_IMPORT_FLINK_LIB_DIR", libDir.toString());
        // A loaded 2-core machine starts JVMs slowly; these are the scripts' own upper bounds.
        env.put("AUTO_IMPORT_START_TIMEOUT", "300");
        env.putAll(extraEnv);
        lastOutput = out;
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
