package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobItem;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State compatibility: savepoints of released versions, committed under {@code
 * src/test/resources/savepoints/<version>/}, must restore into the current job.
 *
 * <p>Each was taken during blob sync of a tiny container, in {@link SavepointFormatType#CANONICAL}
 * format, next to a {@code savepoint.properties} that says what it holds. It is restored from a
 * copy in another directory (savepoints are relocatable) against a <em>fresh</em> Azurite on
 * another port: the change-feed cursor names the host ({@code 127.0.0.1}) but not the port. The
 * change feed as it was when the savepoint was taken is committed beside it ({@code changefeed/})
 * and written into that Azurite first, as the account's feed would still hold the cursor's segment;
 * new events follow in a later segment. The restored job must
 *
 * <ul>
 *   <li>not walk: a blob that is in the container but in no change-feed event stays away;
 *   <li>use the restored import records: an event for a recorded path with the recorded etag is up
 *       to date, nothing is downloaded;
 *   <li>follow the change feed: a new blob's event is applied.
 * </ul>
 *
 * <p>To add the savepoint of the current version (before a release, or after a deliberate state
 * change): {@code mvn verify -pl job -Dit.test=SavepointCompatibilityITCase
 * -Dautoimport.generate-savepoint=true} (the model: the Kafka connector's migration tests).
 */
class SavepointCompatibilityITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final String RESOURCES = "savepoints";
    private static final String FEED_DIR = "changefeed";
    private static final String CONTAINER = "compat";
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir Path work;

    @BeforeEach
    void freshFeed() {
        ChangeFeedWriter.wipe(AZURITE.serviceClient());
    }

    /** Every committed savepoint: the versions under {@code savepoints/}. */
    static Stream<String> committedVersions() throws IOException, URISyntaxException {
        URL dir = SavepointCompatibilityITCase.class.getClassLoader().getResource(RESOURCES);
        assertThat(dir).as("committed savepoints on the test class path").isNotNull();
        try (Stream<Path> versions = Files.list(Paths.get(dir.toURI()))) {
            List<String> names = new ArrayList<>();
            versions.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
            assertThat(names).as("committed savepoint versions").isNotEmpty();
            return names.stream().sorted();
        }
    }

    @ParameterizedTest(name = "savepoint of {0}")
    @MethodSource("committedVersions")
    void aCommittedSavepointResumesBlobSyncWithoutAWalk(String version) throws Exception {
        Saved saved = copyOf(version);
        BlobServiceClient service = AZURITE.serviceClient();
        restoreFeed(service, saved.feed);
        BlobContainerClient container = AZURITE.createContainer(saved.container);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        upload(container, "data/unlisted.txt", "only a walk would find this");
        upload(container, saved.upToDatePath, "the same path, now in another Azurite");

        Path root = Files.createDirectory(work.resolve("lustre"));
        JobClient job =
                startRestored(
                        saved.savepoint,
                        settings(
                                saved.container,
                                root,
                                AZURITE.connectionString(),
                                // One subtask and one write in flight: the events are decided and
                                // written in feed order, so when the last one is on disk, the ones
                                // before it were decided.
                                "--job.parallelism",
                                "1",
                                "--lustre.max-concurrent-writes",
                                "1"));
        try {
            ChangeFeedWriter feed = new ChangeFeedWriter(service, 1, 100);
            Instant t = saved.firstEventTimeAfterCursor();
            BlobClient marker = upload(container, "data/after-restore.txt", "read from the feed");
            feed.append(
                    List.of(
                            FeedEvent.created(
                                    saved.container,
                                    saved.upToDatePath,
                                    saved.upToDateEtag,
                                    0,
                                    String.format("%048x", 1_000_001),
                                    t),
                            feed.created(marker, t.plusMillis(1))));
            feed.publish();

            await().atMost(PATIENCE)
                    .until(() -> Files.exists(root.resolve("data/after-restore.txt")));
            assertThat(Files.readString(root.resolve("data/after-restore.txt")))
                    .isEqualTo("read from the feed");
            assertThat(root.resolve(saved.upToDatePath))
                    .as("an event with the recorded etag is up to date: nothing downloaded")
                    .doesNotExist();
            assertThat(root.resolve("data/unlisted.txt")).as("no walk").doesNotExist();

            JobID id = job.getJobID();
            // The outcome reaches the operations operator, which counts it, after the file is
            // written.
            await().atMost(PATIENCE)
                    .until(() -> TestJobs.metric(REPORTER, id, "blobSync.importedFiles") >= 1);
            assertThat(TestJobs.metric(REPORTER, id, "fullSync.blobsWalked")).isZero();
            assertThat(TestJobs.metric(REPORTER, id, "fullSync.importedFiles")).isZero();
            assertThat(TestJobs.metric(REPORTER, id, "fullSync.preexistingFiles")).isZero();
            assertThat(TestJobs.metric(REPORTER, id, "blobSync.importedFiles")).isEqualTo(1);
            assertThat(TestJobs.metric(REPORTER, id, "blobSync.errors")).isZero();
        } finally {
            TestJobs.cancel(job);
        }
    }

    /**
     * A cursor names the host it was read through, and the SDK refuses it through another name of
     * the same service ({@code localhost} for {@code 127.0.0.1}). The job says so and fails; it
     * does not silently start over from the walk's start time.
     */
    @Test
    void aCursorIsRefusedThroughAnotherHostName() throws Exception {
        Saved saved = latestWithItsContainers();
        new ChangeFeedWriter(AZURITE.serviceClient()).publishAsOf(Instant.now());
        String viaLocalhost = AZURITE.connectionString().replace("127.0.0.1", "localhost");

        assertThat(failureOfRestoring(saved, viaLocalhost).stack())
                .contains("cannot resume the change feed from the saved cursor")
                .contains("Cursor URL host does not match");
    }

    /**
     * A cursor whose segment the feed's retention has deleted: the SDK would go on at the next
     * segment and skip what lay in between, so the job fails at once and for good, saying what to
     * do, instead of missing changes or failing over and over.
     */
    @Test
    void aCursorWhoseSegmentTheFeedNoLongerHoldsStopsTheJobWithoutRestarts() throws Exception {
        Saved saved = latestWithItsContainers();
        // A feed that begins after the cursor's segment, as retention leaves it.
        ChangeFeedWriter feed = new ChangeFeedWriter(AZURITE.serviceClient());
        feed.append(
                feed.createdEvents(
                        saved.container, "data/later-", 1, saved.firstEventTimeAfterCursor()));
        feed.publish();

        Failure failure = failureOfRestoring(saved, AZURITE.connectionString());
        assertThat(failure.stack())
                .contains("no longer holds the saved position")
                .contains("retention")
                .contains("start it again without the savepoint or checkpoint");
        assertThat(TestJobs.metric(REPORTER, failure.job, "numRestarts"))
                .as("a lost position is not worth a restart")
                .isZero();
    }

    /**
     * Writes the savepoint of the current version into the source tree. Run on purpose only (see
     * the class comment); commit what it writes.
     */
    @Test
    @EnabledIfSystemProperty(named = "autoimport.generate-savepoint", matches = "true")
    void generateTheSavepointOfTheCurrentVersion() throws Exception {
        BlobServiceClient service = AZURITE.serviceClient();
        BlobContainerClient container = AZURITE.createContainer(CONTAINER);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        FeedFixture blobs = new FeedFixture(service, container);
        blobs.seed("data/a.txt", "a, imported by the walk");
        blobs.seed("data/b.txt", "b, imported by the walk");
        blobs.seed("data/sub/c.txt", "c, imported by the walk");
        blobs.seed("data/gone.txt", "deleted during blob sync");
        Instant generated = Instant.now();

        Path root = Files.createDirectory(work.resolve("lustre"));
        JobClient job =
                TestJobs.start(
                        settings(
                                CONTAINER,
                                root,
                                AZURITE.connectionString(),
                                "--job.parallelism",
                                "2"),
                        null);
        String savepoint;
        try {
            awaitMirror(root, blobs);
            blobs.put("data/b.txt", "b, changed during blob sync");
            blobs.put("data/new.txt", "created during blob sync");
            blobs.delete("data/gone.txt");
            awaitMirror(root, blobs);
            Thread.sleep(1000); // a few checkpoints with the blob-sync state
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    work.resolve("taken").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
        } catch (Exception e) {
            TestJobs.cancel(job);
            throw e;
        }

        String version = AutoImportVersion.current();
        Path target =
                AzuriteExtension.repositoryRoot()
                        .resolve("job/src/test/resources")
                        .resolve(RESOURCES)
                        .resolve(version);
        deleteRecursively(target);
        copyRecursively(Paths.get(java.net.URI.create(savepoint)), target.resolve("savepoint"));
        saveFeed(service, target.resolve(FEED_DIR));

        Properties p = new Properties();
        p.setProperty("version", version);
        p.setProperty("generated", generated.toString());
        p.setProperty("format", "CANONICAL");
        p.setProperty("container", CONTAINER);
        p.setProperty("parallelism", "2");
        p.setProperty("cursor.host", "127.0.0.1");
        BlobItem a = find(container, "data/a.txt");
        p.setProperty("up-to-date.path", a.getName());
        // As the walk recorded it: the listing's etag, as the listing gives it.
        p.setProperty("up-to-date.etag", a.getProperties().getETag());
        try (Writer w = Files.newBufferedWriter(target.resolve("savepoint.properties"))) {
            p.store(
                    w,
                    "Taken during blob sync by SavepointCompatibilityITCase"
                            + "#generateTheSavepointOfTheCurrentVersion. 'up-to-date' is an import"
                            + " record the savepoint holds (path and the etag it imported).");
        }
        System.out.println("Wrote the savepoint of " + version + " to " + target);
    }

    // ----------------------------------------------------------------------------------------

    /** A committed savepoint, copied to a new place, and what its properties say. */
    private static final class Saved {
        String savepoint;
        String container;
        Instant generated;
        String upToDatePath;
        String upToDateEtag;
        Path feed;

        /**
         * A time for new events in a segment after the cursor's: the cursor's own segment is the
         * committed one, complete.
         */
        Instant firstEventTimeAfterCursor() {
            Instant afterCursorSegment =
                    ChangeFeedWriter.segmentBegin(generated)
                            .plus(ChangeFeedWriter.SEGMENT_LENGTH)
                            .plusSeconds(60);
            Instant now = Instant.now();
            return now.isAfter(afterCursorSegment) ? now : afterCursorSegment;
        }
    }

    /** The newest committed savepoint, its container and the logging container created. */
    private Saved latestWithItsContainers() throws IOException, URISyntaxException {
        Saved saved = copyOf(committedVersions().reduce((a, b) -> b).orElseThrow());
        AZURITE.createContainer(saved.container);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        return saved;
    }

    /** Restores the savepoint into a fresh root, which must fail the job: how it failed. */
    private Failure failureOfRestoring(Saved saved, String connectionString) throws Exception {
        JobClient job =
                startRestored(
                        saved.savepoint,
                        settings(
                                saved.container,
                                Files.createDirectory(work.resolve("lustre")),
                                connectionString));
        try {
            job.getJobExecutionResult().get();
        } catch (ExecutionException e) {
            return new Failure(job.getJobID(), ExceptionUtils.stringifyException(e));
        }
        throw new AssertionError("the restored job ran to its end instead of failing");
    }

    /** A failed job and its whole stack of causes. */
    private record Failure(JobID job, String stack) {}

    private Saved copyOf(String version) throws IOException, URISyntaxException {
        URL url = getClass().getClassLoader().getResource(RESOURCES + "/" + version + "/savepoint");
        assertThat(url).as("savepoint of " + version).isNotNull();
        Path copy = work.resolve("copied-" + version);
        copyRecursively(Paths.get(url.toURI()), copy);
        Properties p = new Properties();
        try (Reader r =
                Files.newBufferedReader(
                        Paths.get(url.toURI()).resolveSibling("savepoint.properties"))) {
            p.load(r);
        }
        Saved s = new Saved();
        s.savepoint = copy.toUri().toString();
        s.container = p.getProperty("container");
        s.generated = Instant.parse(p.getProperty("generated"));
        s.upToDatePath = p.getProperty("up-to-date.path");
        s.upToDateEtag = p.getProperty("up-to-date.etag");
        s.feed = Paths.get(url.toURI()).resolveSibling(FEED_DIR);
        return s;
    }

    private static JobSettings settings(
            String container, Path root, String connectionString, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--storage.connection-string",
                                connectionString,
                                "--storage.container",
                                container,
                                "--logging.container",
                                TestJobs.LOGGING_CONTAINER,
                                "--lustre.root",
                                root.toString(),
                                "--sync.enable-deletions",
                                "true",
                                "--job.checkpoint-interval",
                                "200ms",
                                "--changefeed.poll-interval",
                                "100ms"));
        args.addAll(List.of(extra));
        return JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);
    }

    /** The job as {@code flink run -s <savepoint>} starts it, with a few quick restarts. */
    private static JobClient startRestored(String savepoint, JobSettings settings)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings);
        return env.executeAsync(settings.jobName);
    }

    /** Every blob of the change feed, as files under {@code dir} named by the blob names. */
    private static void saveFeed(BlobServiceClient service, Path dir) throws IOException {
        BlobContainerClient feed = service.getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER);
        for (BlobItem item : feed.listBlobs()) {
            Path file = dir.resolve(item.getName());
            Files.createDirectories(file.getParent());
            Files.write(file, feed.getBlobClient(item.getName()).downloadContent().toBytes());
        }
    }

    /** Writes a feed {@link #saveFeed} kept into the change-feed container. */
    private static void restoreFeed(BlobServiceClient service, Path dir) throws IOException {
        assertThat(dir).as("the change feed committed with the savepoint").isDirectory();
        BlobContainerClient feed = service.getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER);
        feed.createIfNotExists();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = dir.relativize(file).toString().replace('\\', '/');
                feed.getBlobClient(name).upload(BinaryData.fromFile(file), true);
            }
        }
    }

    private static BlobClient upload(BlobContainerClient container, String name, String content) {
        BlobClient blob = container.getBlobClient(name);
        blob.upload(BinaryData.fromString(content), true);
        return blob;
    }

    private static BlobItem find(BlobContainerClient container, String name) {
        for (BlobItem item : container.listBlobs()) {
            if (item.getName().equals(name)) {
                return item;
            }
        }
        throw new IllegalStateException("no blob " + name);
    }

    private static void awaitMirror(Path root, FeedFixture blobs) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .untilAsserted(
                        () ->
                                assertThat(FeedFixture.filesUnder(root))
                                        .isEqualTo(blobs.expectedFiles()));
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        Files.walkFileTree(
                from,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                            throws IOException {
                        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.copy(
                                file,
                                to.resolve(from.relativize(file).toString()),
                                StandardCopyOption.REPLACE_EXISTING);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted((x, y) -> y.compareTo(x))::iterator) {
                Files.delete(p);
            }
        }
    }
}
