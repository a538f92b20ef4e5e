package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.lustre.LustrePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The import job end to end: a real Azurite, a real MiniCluster with RocksDB, a real directory. */
class FullSyncITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final AtomicInteger CONTAINERS = new AtomicInteger();
    private static final String LONG_COMPONENT = "n".repeat(256);

    @TempDir Path work;
    private Path root;
    private Path outside;
    private String container;
    private BlobContainerClient blobs;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(work.resolve("lustre"));
        outside = Files.createDirectory(work.resolve("outside"));
        container = "full-sync-" + CONTAINERS.incrementAndGet();
        blobs = AZURITE.createContainer(container);
        AZURITE.createContainer("auto-import-logs");
    }

    @Test
    void importsAVariedContainerExactlyAndConfinesHostileNames() throws Exception {
        seedVariedContainer();
        Run run = runImport(root);

        assertThat(contentOf("dir1/a.txt")).isEqualTo("hello\n");
        assertThat(TreeSnapshot.describe(root.resolve("dir1/a.txt"), false))
                .startsWith("file 0640 1234:5678");
        assertThat(TreeSnapshot.describe(root.resolve("dir1"), false)).startsWith("dir 0700 ");
        assertThat(TreeSnapshot.describe(root.resolve("folder2"), false)).startsWith("dir 0750 ");
        assertThat(TreeSnapshot.describe(root.resolve("folder2/c.txt"), false))
                .startsWith("file 0644 0:0");
        assertThat(Files.size(root.resolve("dir1/sub/big.bin"))).isEqualTo(5 * 1024 * 1024 + 7);
        assertThat(Files.size(root.resolve("empty.dat"))).isZero();
        assertThat(Files.readSymbolicLink(root.resolve("link")).toString()).isEqualTo("dir1/a.txt");
        assertThat(contentOf("name with spaces/é ü 日本.txt")).isEqualTo("unicode\n");
        assertThat(TreeSnapshot.describe(root.resolve("setuid.sh"), false))
                .as("set-user-ID is dropped by default")
                .startsWith("file 0755 ");
        assertThat(TreeSnapshot.describe(root.resolve("bad-meta.txt"), false))
                .as("unreadable metadata falls back to the defaults")
                .startsWith("file 0644 0:0");
        assertThat(Files.getLastModifiedTime(root.resolve("dated.txt")).toInstant())
                .isEqualTo(Instant.parse("2020-02-03T04:05:06Z"));

        // x beside x/y and the link-then-write attack: exactly one of each pair loses.
        assertThat(
                        Files.isRegularFile(root.resolve("x"))
                                ^ Files.isRegularFile(root.resolve("x/y")))
                .isTrue();
        assertThat(
                        Files.exists(root.resolve("evil/passwd"))
                                && Files.isSymbolicLink(root.resolve("evil")))
                .isFalse();
        assertThat(listRecursively(outside)).as("nothing is written outside the root").isEmpty();
        assertThat(stagingLeftovers()).isEmpty();

        List<String> hostile =
                listedNames().stream()
                        .filter(
                                n ->
                                        n.contains("/../")
                                                || n.contains("/./")
                                                || n.contains(LONG_COMPONENT))
                        .toList();
        assertThat(hostile).as("Azurite keeps the hostile names as given").isNotEmpty();
        assertThat(run.metric("fullSync.errors")).isEqualTo(hostile.size() + 2);
        assertThat(Files.exists(work.resolve("escape.txt"))).isFalse();
        assertThat(run.metric("fullSync.blobsWalked")).isEqualTo(listedNames().size());
        // "link", and "evil" when the link wins its race against "evil/passwd".
        assertThat(run.metric("fullSync.importedSymlinks"))
                .isEqualTo(Files.isSymbolicLink(root.resolve("evil")) ? 2 : 1);
        assertThat(run.metric("fullSync.importedDirectories")).isEqualTo(2);
        assertThat(run.metric("fullSync.blobsImported"))
                .isEqualTo(
                        run.metric("fullSync.importedFiles")
                                + run.metric("fullSync.importedDirectories")
                                + run.metric("fullSync.importedSymlinks"));
        assertThat(run.metric("fullSync.conflicts")).isZero();
    }

    @Test
    void rerunImportsNothingAndConflictModesTreatALocalEditAsTheSpecSays() throws Exception {
        seedSimpleContainer(30);
        Run first = runImport(root);
        assertThat(first.metric("fullSync.importedFiles")).isEqualTo(30);
        Map<String, String> imported = TreeSnapshot.of(root, false);

        Run again = runImport(root);
        assertThat(again.metric("fullSync.blobsImported")).isZero();
        assertThat(again.metric("fullSync.preexistingFiles")).isEqualTo(30);
        assertThat(again.metric("fullSync.preexistingDirectories"))
                .as("implicit directories are not counted; there are no marker blobs")
                .isZero();
        assertThat(TreeSnapshot.of(root, false)).isEqualTo(imported);

        Path edited = root.resolve("d1/f1.txt");
        Files.writeString(edited, "local edit\n");
        Run skip = runImport(root, "--sync.conflict-mode", "skip");
        assertThat(skip.metric("fullSync.conflicts")).isEqualTo(1);
        assertThat(Files.readString(edited)).isEqualTo("local edit\n");

        Run overwrite = runImport(root, "--sync.conflict-mode", "overwrite-if-dirty");
        assertThat(overwrite.metric("fullSync.conflicts")).isEqualTo(1);
        assertThat(overwrite.metric("fullSync.importedFiles")).isEqualTo(1);
        assertThat(TreeSnapshot.of(root, false)).isEqualTo(imported);

        Files.writeString(edited, "another edit\n");
        assertThatThrownBy(() -> runImport(root, "--sync.conflict-mode", "fail"))
                .hasStackTraceContaining("conflict at 'd1/f1.txt'")
                .hasStackTraceContaining("sync.conflict-mode=fail");
        assertThat(Files.readString(edited)).isEqualTo("another edit\n");
    }

    @Test
    void aFailureMidWalkRecoversFromTheCheckpointToTheSameTree() throws Exception {
        seedSimpleContainer(400);
        Path reference = Files.createDirectory(work.resolve("reference"));
        runImport(reference);

        FailOnce.reset(150);
        runImport(root, FailOnce.INSTANCE, "--job.checkpoint-interval", "50ms");
        assertThat(FailOnce.failures.get()).as("the job failed once mid-walk").isEqualTo(1);
        assertThat(TreeSnapshot.of(root, false)).isEqualTo(TreeSnapshot.of(reference, false));
        assertThat(stagingLeftovers()).isEmpty();
    }

    /** Throws once after N records, then lets everything through. */
    static final class FailOnce implements MapFunction<BlobChange, BlobChange> {
        static final FailOnce INSTANCE = new FailOnce();
        static final AtomicInteger seen = new AtomicInteger();
        static final AtomicInteger failures = new AtomicInteger();
        static volatile int failAfter;

        static void reset(int after) {
            seen.set(0);
            failures.set(0);
            failAfter = after;
        }

        @Override
        public BlobChange map(BlobChange value) {
            if (seen.incrementAndGet() == failAfter && failures.incrementAndGet() == 1) {
                throw new IllegalStateException("injected failure after " + failAfter + " records");
            }
            return value;
        }
    }

    // ---------------------------------------------------------------------------------------

    private void seedVariedContainer() {
        upload("dir1/", "", Map.of("permissions", "0700"));
        upload(
                "dir1/a.txt",
                "hello\n",
                Map.of("owner", "1234", "group", "5678", "permissions", "0640"));
        byte[] big = new byte[5 * 1024 * 1024 + 7];
        new Random(42).nextBytes(big);
        blobs.getBlobClient("dir1/sub/big.bin").upload(BinaryData.fromBytes(big), true);
        upload("empty.dat", "", Map.of());
        upload("folder2", "", Map.of("hdi_isfolder", "true", "permissions", "rwxr-x---"));
        upload("folder2/c.txt", "c\n", Map.of("owner", "root", "group", "root"));
        upload("link", "dir1/a.txt", Map.of("ftype", "LNK"));
        upload("name with spaces/é ü 日本.txt", "unicode\n", Map.of());
        upload("setuid.sh", "#!/bin/sh\n", Map.of("permissions", "4755"));
        upload("bad-meta.txt", "odd\n", Map.of("permissions", "rwx", "owner", "alice"));
        upload("dated.txt", "old\n", Map.of("mtime", "2020-02-03T04:05:06Z"));
        upload("x", "file x\n", Map.of());
        upload("x/y", "file y\n", Map.of());
        upload("evil", outside.toString(), Map.of("ftype", "LNK"));
        upload("evil/passwd", "pwned\n", Map.of());
        upload("bad/../escape.txt", "escape\n", Map.of());
        upload("dots/./here.txt", "dot\n", Map.of());
        upload("long/" + LONG_COMPONENT + ".txt", "long\n", Map.of());
    }

    private void seedSimpleContainer(int files) {
        for (int i = 0; i < files; i++) {
            upload(
                    "d" + (i % 7) + "/f" + i + ".txt",
                    "content " + i + "\n",
                    Map.of("permissions", "0640"));
        }
    }

    private void upload(String name, String content, Map<String, String> metadata) {
        blobs.getBlobClient(name)
                .uploadWithResponse(
                        new BlobParallelUploadOptions(BinaryData.fromString(content))
                                .setMetadata(new HashMap<>(metadata)),
                        null,
                        com.azure.core.util.Context.NONE);
    }

    private List<String> listedNames() {
        return blobs.listBlobs().stream().map(BlobItem::getName).toList();
    }

    /**
     * {@code --dry-run}: the walk decides every blob against the tree as it is, changes nothing
     * under the root (not a byte, not an inode, not the reserved directory), lists each change it
     * would make in the logging container, and counts what the real import then does.
     */
    @Test
    void aDryRunChangesNothingListsItsPlanAndCountsWhatTheImportThenDoes() throws Exception {
        upload("data/", "", Map.of("permissions", "0750"));
        for (int i = 0; i < 6; i++) {
            upload("data/f" + i + ".txt", "content " + i + "\n", Map.of("permissions", "0640"));
        }
        upload("data/deep/g.txt", "deep\n", Map.of());
        upload("latest", "data/f0.txt", Map.of("ftype", "LNK"));
        upload("kept.txt", "the blob's\n", Map.of());
        Files.writeString(root.resolve("kept.txt"), "changed on Lustre\n");
        Files.createDirectories(root.resolve("data"));
        Map<String, String> tree = TreeSnapshot.of(root, true);
        Map<String, Object> inodes = inodes(root);

        Run dry = runImport(root, "--dry-run");

        assertThat(TreeSnapshot.of(root, true)).as("not a byte or an attribute").isEqualTo(tree);
        assertThat(inodes(root)).as("not an inode").isEqualTo(inodes);
        assertThat(root.resolve(LustrePaths.RESERVED_NAME)).doesNotExist();
        List<String> plan = planLines();
        assertThat(plan)
                .anySatisfy(l -> assertThat(l).contains("\"level\":\"import\"", "data/f3.txt"));
        assertThat(plan)
                .anySatisfy(l -> assertThat(l).contains("\"level\":\"keep-conflict\"", "kept.txt"));

        Run real = runImport(root);
        for (String m :
                List.of(
                        "fullSync.blobsWalked",
                        "fullSync.importedFiles",
                        "fullSync.importedDirectories",
                        "fullSync.importedSymlinks",
                        "fullSync.preexistingFiles",
                        "fullSync.preexistingDirectories",
                        "fullSync.conflicts",
                        "fullSync.errors")) {
            assertThat(dry.metric(m)).as(m).isEqualTo(real.metric(m));
        }
        assertThat(real.metric("fullSync.importedFiles")).isEqualTo(7);
        assertThat(real.metric("fullSync.conflicts")).isEqualTo(1);
        assertThat(plan)
                .as("one line per change: %s", plan)
                .hasSize(
                        (int)
                                (real.metric("fullSync.blobsImported")
                                        + real.metric("fullSync.conflicts")));
        assertThat(contentOf("kept.txt")).isEqualTo("changed on Lustre\n");
    }

    private static Map<String, Object> inodes(Path dir) throws IOException {
        Map<String, Object> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                m.put(
                        dir.relativize(p).toString(),
                        Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS));
            }
        }
        return m;
    }

    /** Every line of this job's dry-run plans in the logging container. */
    private List<String> planLines() {
        BlobContainerClient logs =
                AZURITE.serviceClient().getBlobContainerClient("auto-import-logs");
        List<String> lines = new ArrayList<>();
        logs.listBlobs(
                        new com.azure.storage.blob.models.ListBlobsOptions().setPrefix("plans/"),
                        null)
                .forEach(
                        b ->
                                lines.addAll(
                                        logs.getBlobClient(b.getName())
                                                .downloadContent()
                                                .toString()
                                                .lines()
                                                .filter(l -> !l.isBlank())
                                                .toList()));
        return lines;
    }

    private String contentOf(String relative) throws IOException {
        return Files.readString(root.resolve(relative), StandardCharsets.UTF_8);
    }

    private static List<Path> listRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).collect(Collectors.toList());
        }
    }

    /** Under the staging area only: the link markers beside it are meant to stay. */
    private List<Path> stagingLeftovers() throws IOException {
        Path staging = root.resolve(".auto-import/staging");
        if (!Files.exists(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private Run runImport(Path target, String... extra) throws Exception {
        return runImport(target, null, extra);
    }

    private Run runImport(Path target, MapFunction<BlobChange, BlobChange> hook, String... extra)
            throws Exception {
        List<String> args =
                new ArrayList<>(List.of("--mode", "import", "--import.max-errors", "-1"));
        args.addAll(List.of(extra));
        JobSettings settings =
                TestJobs.settings(AZURITE, container, target, args.toArray(String[]::new));
        JobClient client = TestJobs.start(settings, hook);
        return new Run(client.getJobExecutionResult().get().getJobID());
    }

    /** The metrics one finished job left in the reporter. */
    private static final class Run {
        final JobID jobId;

        Run(JobID jobId) {
            this.jobId = jobId;
        }

        long metric(String suffix) {
            return TestJobs.metric(REPORTER, jobId, suffix);
        }
    }
}
