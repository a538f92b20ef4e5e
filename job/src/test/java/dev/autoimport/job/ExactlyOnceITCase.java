package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.lustre.LustreRoot;
import dev.autoimport.connector.lustre.NamespaceInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 7, exactly-once effect: the auto-import job is failed at seeded points of the walk, of the
 * hand-over to the change feed and of the blob sync while creates, overwrites, deletions and
 * metadata changes stream in; after the restores its tree must equal, byte for byte and attribute
 * for attribute, the tree of an uninterrupted run of the same scenario (a second job on the same
 * container, run side by side into another directory), with no staging file left.
 *
 * <p>Each trial draws everything from its seed (printed in every assertion): the container, the
 * changes and their pacing, the records at which the job fails, and a change made to a blob the job
 * has just imported, at the moment it fails. Timing (checkpoints, threads) is not seeded, so a seed
 * fixes the scenario, not the interleaving. Both jobs of a trial use the same conflict mode: skip
 * and overwrite-if-dirty take turns, so that each meets a failure in each phase. Run one seed alone
 * with {@code -Dexactly-once.seed=<seed>} (under skip), or a range with {@code
 * -Dexactly-once.seed=<first>..<last>}; choose the mode of every trial with {@code
 * -Dexactly-once.conflict-mode=<mode>}.
 */
class ExactlyOnceITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    /** Without retained metrics: a failed attempt's gauges go away with it. */
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final long FIRST_SEED = 20_260_614L;
    private static final int TRIALS = 12;
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    /**
     * Skip keeps whatever looks changed in Lustre, so it shows every restore that makes the job's
     * own work look dirty; overwrite-if-dirty replaces that, so it shows what the replay itself
     * misses or rolls back.
     */
    private static final String[] CONFLICT_MODES = {"skip", "overwrite-if-dirty"};

    /** Set: every trial runs under this mode. */
    private static final String FORCED_CONFLICT_MODE =
            System.getProperty("exactly-once.conflict-mode");

    /** Where the first failure of a trial is injected. */
    enum Phase {
        WALK,
        HAND_OVER,
        BLOB_SYNC
    }

    @TempDir Path work;

    static Stream<Arguments> trials() {
        String seeds = System.getProperty("exactly-once.seed");
        if (seeds != null) {
            String[] range = seeds.split("\\.\\.", 2);
            long first = Long.parseLong(range[0].trim());
            long last = range.length == 2 ? Long.parseLong(range[1].trim()) : first;
            return LongStream.rangeClosed(first, last)
                    .mapToObj(
                            seed ->
                                    Arguments.of(
                                            (int) (seed - first),
                                            seed,
                                            Phase.values()[(int) Math.floorMod(seed, 3L)],
                                            conflictMode((int) (seed - first))));
        }
        return IntStream.range(0, TRIALS)
                .mapToObj(
                        i ->
                                Arguments.of(
                                        i, FIRST_SEED + i, Phase.values()[i % 3], conflictMode(i)));
    }

    /** Trial by trial, skip then overwrite-if-dirty: with three phases, all six pairs in six. */
    private static String conflictMode(int trial) {
        return FORCED_CONFLICT_MODE != null
                ? FORCED_CONFLICT_MODE
                : CONFLICT_MODES[trial % CONFLICT_MODES.length];
    }

    @ParameterizedTest(name = "trial {0}: seed {1}, first failure in the {2}, {3}")
    @MethodSource("trials")
    void afterEveryCrashAndRestoreTheTreeEqualsAnUninterruptedRun(
            int trial, long seed, Phase phase, String conflictMode) throws Exception {
        Random random = new Random(seed);
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        String container = "exactly-once-" + trial + "-" + Long.toHexString(seed);
        Blobs blobs = new Blobs(new FeedFixture(service, AZURITE.createContainer(container)));
        blobs.seedInitial(random);
        int changes = 30 + random.nextInt(11);
        Path crashRoot = Files.createDirectory(work.resolve("crashing"));
        Path referenceRoot = Files.createDirectory(work.resolve("uninterrupted"));
        Trial t = new Trial(seed, plan(random, phase, blobs.size(), changes), blobs, crashRoot);
        String about =
                "seed "
                        + seed
                        + " ("
                        + phase
                        + ", failures at "
                        + t.plan
                        + ", sync.conflict-mode="
                        + conflictMode
                        + ")";

        Trial.current = t;
        JobClient reference =
                TestJobs.start(settings(container, referenceRoot, conflictMode), null);
        JobClient crashing =
                TestJobs.start(
                        settings(container, crashRoot, conflictMode), new FailAtPlannedRecords());
        try {
            // The crashing job has started its walk: from now on its change feed sees every change.
            await().atMost(PATIENCE).until(() -> t.listingSeen.get() > 0);
            for (int i = 0; i < changes; i++) {
                t.log(blobs.randomChange(random));
                Thread.sleep(random.nextInt(60));
            }
            await().atMost(PATIENCE)
                    .alias("every planned failure happened; " + about)
                    .failFast(
                            "the crashing job ended for good (see its last failure in the log); "
                                    + about,
                            () -> crashing.getJobStatus().get().isGloballyTerminalState())
                    .until(() -> t.fired.size() == t.plan.size());
            long end = blobs.lastChangeMillis();
            awaitSynchronizedPast(reference, end, about);
            awaitSynchronizedPast(crashing, end, about);

            assertThat(view(referenceRoot))
                    .as("the uninterrupted run mirrors the container; %s", about)
                    .isEqualTo(blobs.expectedView());
            assertThat(differences(tree(crashRoot), tree(referenceRoot)))
                    .as(
                            "entries where the crashed and restored run differs from the"
                                    + " uninterrupted one (crashed | uninterrupted); %s;"
                                    + " conflicts counted: %s (crashed), %s (uninterrupted);"
                                    + " what happened: %s",
                            about,
                            conflicts(crashing.getJobID()),
                            conflicts(reference.getJobID()),
                            t.journal())
                    .isEmpty();

            long checkpoints = metric(crashing.getJobID(), "numberOfCompletedCheckpoints");
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    metric(crashing.getJobID(), "numberOfCompletedCheckpoints")
                                            > checkpoints);
            assertThat(stagingLeftovers(crashRoot))
                    .as("no staging file once the job is idle; %s", about)
                    .isEmpty();
            assertThat(linksWithoutTheirMarker(crashRoot))
                    .as(
                            "links the next restore would not recognize as imported by the job;"
                                    + " %s",
                            about)
                    .isEmpty();
        } finally {
            Trial.current = null;
            stop(crashing);
            stop(reference);
        }
    }

    // ---------------------------------------------------------------------------------------
    // The plan of failures

    /** The job fails when the {@code n}-th record of this origin (replays included) passes. */
    record FailurePoint(BlobChange.Origin origin, int n) {
        @Override
        public String toString() {
            return (origin == BlobChange.Origin.LISTING ? "walk" : "feed") + " record " + n;
        }
    }

    private static List<FailurePoint> plan(Random random, Phase phase, int blobs, int changes) {
        List<FailurePoint> plan = new ArrayList<>();
        int lastFeedRecord;
        switch (phase) {
            case WALK:
                plan.add(
                        new FailurePoint(BlobChange.Origin.LISTING, 2 + random.nextInt(blobs / 2)));
                lastFeedRecord = 0;
                break;
            case HAND_OVER:
                plan.add(new FailurePoint(BlobChange.Origin.CHANGE_FEED, 1));
                lastFeedRecord = 1;
                break;
            default:
                lastFeedRecord = 3 + random.nextInt(changes / 2 - 3);
                plan.add(new FailurePoint(BlobChange.Origin.CHANGE_FEED, lastFeedRecord));
        }
        // Often a second failure later in the blob sync, before the last change is read.
        if (random.nextBoolean()) {
            int from = lastFeedRecord + 3;
            plan.add(
                    new FailurePoint(
                            BlobChange.Origin.CHANGE_FEED,
                            from + random.nextInt(Math.max(1, changes - from))));
        }
        return List.copyOf(plan);
    }

    /** What one trial shares with the hook, which runs in the MiniCluster of this JVM. */
    static final class Trial {
        static volatile Trial current;

        final long seed;
        final List<FailurePoint> plan;
        final Blobs blobs;
        final Path crashRoot;
        final Random crashRandom;
        final AtomicInteger listingSeen = new AtomicInteger();
        final AtomicInteger feedSeen = new AtomicInteger();
        final Set<FailurePoint> fired = ConcurrentHashMap.newKeySet();
        private final List<String> journal = Collections.synchronizedList(new ArrayList<>());

        Trial(long seed, List<FailurePoint> plan, Blobs blobs, Path crashRoot) {
            this.seed = seed;
            this.plan = plan;
            this.blobs = blobs;
            this.crashRoot = crashRoot;
            this.crashRandom = new Random(~seed);
        }

        void log(String line) {
            journal.add(line);
        }

        String journal() {
            synchronized (journal) {
                return String.join("; ", journal);
            }
        }

        /**
         * The crash window: a blob whose import the restored state will not know (it passed after
         * the barrier of the last completed checkpoint) changes while the job goes down, so the
         * replay meets a file newer than the restored state and a blob newer than the file.
         *
         * @param window names that passed the hook since that barrier, oldest first
         */
        void changeABlobImportedSinceTheCheckpoint(FailurePoint point, List<String> window)
                throws InterruptedException {
            String name = null;
            for (int i = window.size() - 1; i >= 0 && name == null; i--) {
                if (blobs.isMutableFile(window.get(i))) {
                    name = window.get(i);
                }
            }
            if (name == null) {
                log("failed at " + point + " (no file imported since the last checkpoint)");
                return;
            }
            // Bounded: the sink imports it within milliseconds, unless the file became a conflict.
            for (int i = 0; i < 200 && !blobs.isMirrored(name, crashRoot); i++) {
                Thread.sleep(10);
            }
            log("failed at " + point + " after " + blobs.changeFile(name, crashRandom));
        }
    }

    /**
     * Fails the job once at each planned record; counts every record, replays included. Knows, per
     * subtask, which records passed since the barrier of the last completed checkpoint: their
     * decisions are the ones a restore rolls back.
     */
    static final class FailAtPlannedRecords
            implements MapFunction<BlobChange, BlobChange>,
                    CheckpointedFunction,
                    CheckpointListener {
        private static final long serialVersionUID = 1L;

        private transient List<String> passed;
        private transient NavigableMap<Long, Integer> barriers;
        private transient int checkpointed;

        @Override
        public void initializeState(FunctionInitializationContext context) {
            passed = new ArrayList<>();
            barriers = new TreeMap<>();
            checkpointed = 0;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            barriers.put(context.getCheckpointId(), passed.size());
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Integer at = barriers.get(checkpointId);
            if (at != null) {
                checkpointed = Math.max(checkpointed, at);
            }
            barriers.headMap(checkpointId, true).clear();
        }

        @Override
        public BlobChange map(BlobChange change) throws Exception {
            Trial t = Trial.current;
            if (t == null) {
                return change;
            }
            int n =
                    (change.origin == BlobChange.Origin.LISTING ? t.listingSeen : t.feedSeen)
                            .incrementAndGet();
            FailurePoint here = new FailurePoint(change.origin, n);
            if (t.plan.contains(here) && t.fired.add(here)) {
                t.changeABlobImportedSinceTheCheckpoint(
                        here, List.copyOf(passed.subList(checkpointed, passed.size())));
                throw new IllegalStateException(
                        "injected failure at " + here + " (seed " + t.seed + ")");
            }
            passed.add(change.blobName);
            return change;
        }
    }

    // ---------------------------------------------------------------------------------------
    // The container and what the mirror must hold

    /**
     * The container, changed only through here: every change goes to Azurite and into the change
     * feed, and into a model of what the mirror must hold. Versions get ever longer content, so two
     * versions of one path never look alike by size and time.
     */
    static final class Blobs {
        private static final String[] PERMISSIONS = {"0600", "0640", "0644", "0664", "0755"};
        private static final int DIRECTORIES = 4;

        enum Kind {
            FILE,
            LINK,
            DIRECTORY
        }

        record Entry(Kind kind, String content, Map<String, String> metadata) {}

        private final FeedFixture feed;
        private final Map<String, Entry> current = new TreeMap<>();
        private final Deque<String> recent = new ArrayDeque<>();
        private final List<String> deleted = new ArrayList<>();
        private int version;
        private int created;
        private volatile long lastChangeMillis;

        Blobs(FeedFixture feed) {
            this.feed = feed;
        }

        synchronized int size() {
            return current.size();
        }

        long lastChangeMillis() {
            return lastChangeMillis;
        }

        /**
         * Directories d0..d3 with a keep.txt that is never deleted (so that every directory exists
         * in the end, whatever the timing) and a few files; d2 also as a marker blob with its own
         * mode; a link; owners and modes drawn from the seed.
         */
        synchronized void seedInitial(Random random) {
            for (int d = 0; d < DIRECTORIES; d++) {
                put("d" + d + "/keep.txt", Kind.FILE, randomMetadata(random));
                int files = 5 + random.nextInt(3);
                for (int f = 0; f < files; f++) {
                    put("d" + d + "/f" + f + ".txt", Kind.FILE, randomMetadata(random));
                }
            }
            Map<String, String> folder = new HashMap<>();
            folder.put("hdi_isfolder", "true");
            folder.put("permissions", "0750");
            record("d2", new Entry(Kind.DIRECTORY, "", folder));
            feed.put("d2", "", folder);
            put("links/l0", Kind.LINK, Map.of());
            put("links/l1", Kind.LINK, Map.of());
        }

        /** One random change, more often to a path changed shortly before. */
        synchronized String randomChange(Random random) {
            int dice = random.nextInt(100);
            if (dice < 35) {
                String name = pick(random, this::isMutableFile);
                put(name, Kind.FILE, maybeNewMetadata(random, name));
                return "overwrite " + name;
            }
            if (dice < 55) {
                String name = newName(random);
                put(name, Kind.FILE, randomMetadata(random));
                return "create " + name;
            }
            if (dice < 75) {
                String name = pick(random, this::isDeletable);
                if (name != null) {
                    delete(name);
                    return "delete " + name;
                }
                return "nothing to delete";
            }
            if (dice < 90) {
                String name = pick(random, this::isMutableFile);
                setMetadata(name, otherMetadata(random, name));
                return "metadata " + name;
            }
            String link = random.nextBoolean() ? "links/l0" : "links/l1";
            put(link, Kind.LINK, Map.of());
            return "retarget " + link;
        }

        /** Overwrites, deletes or changes the metadata of one existing file. */
        synchronized String changeFile(String name, Random random) {
            int dice = random.nextInt(3);
            if (dice == 0 && isDeletable(name)) {
                delete(name);
                return "deleting " + name;
            }
            if (dice == 1) {
                setMetadata(name, otherMetadata(random, name));
                return "changing the metadata of " + name;
            }
            put(name, Kind.FILE, maybeNewMetadata(random, name));
            return "overwriting " + name;
        }

        synchronized boolean isMutableFile(String name) {
            Entry e = current.get(name);
            return e != null && e.kind == Kind.FILE;
        }

        synchronized boolean isDeletable(String name) {
            return isMutableFile(name) && name.startsWith("d") && !name.endsWith("/keep.txt");
        }

        /** Whether the root holds this blob's current content under its name. */
        boolean isMirrored(String name, Path root) {
            String content;
            synchronized (this) {
                Entry e = current.get(name);
                if (e == null) {
                    return false;
                }
                content = e.content;
            }
            try {
                return content.equals(Files.readString(root.resolve(name)));
            } catch (IOException | RuntimeException notYet) {
                return false;
            }
        }

        /** Every file and link the mirror must hold, with content or target. */
        synchronized Map<String, String> expectedView() {
            Map<String, String> view = new TreeMap<>();
            current.forEach(
                    (name, e) -> {
                        if (e.kind == Kind.FILE) {
                            view.put(name, "file " + e.content);
                        } else if (e.kind == Kind.LINK) {
                            view.put(name, "link -> " + e.content);
                        }
                    });
            return view;
        }

        private void put(String name, Kind kind, Map<String, String> metadata) {
            int v = ++version;
            Map<String, String> meta = new HashMap<>(metadata);
            String content;
            if (kind == Kind.LINK) {
                meta.put("ftype", "LNK");
                content = "../target-" + v + "-" + "x".repeat(v);
            } else {
                content = name + " version " + v + " " + "x".repeat(v) + "\n";
            }
            feed.put(name, content, meta);
            record(name, new Entry(kind, content, meta));
        }

        private void setMetadata(String name, Map<String, String> metadata) {
            feed.setMetadata(name, metadata);
            record(name, new Entry(Kind.FILE, current.get(name).content, metadata));
        }

        private void delete(String name) {
            feed.delete(name);
            current.remove(name);
            deleted.add(name);
            recent.remove(name);
            lastChangeMillis = System.currentTimeMillis();
        }

        private void record(String name, Entry entry) {
            current.put(name, entry);
            deleted.remove(name);
            recent.remove(name);
            recent.addFirst(name);
            if (recent.size() > 4) {
                recent.removeLast();
            }
            lastChangeMillis = System.currentTimeMillis();
        }

        private String pick(Random random, Predicate<String> eligible) {
            if (random.nextBoolean()) {
                List<String> hot = recent.stream().filter(eligible).toList();
                if (!hot.isEmpty()) {
                    return hot.get(random.nextInt(hot.size()));
                }
            }
            List<String> all = current.keySet().stream().filter(eligible).toList();
            return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
        }

        /** A deleted name again (deleted, then created anew), or a new file, maybe in a new dir. */
        private String newName(Random random) {
            if (!deleted.isEmpty() && random.nextInt(3) == 0) {
                return deleted.get(random.nextInt(deleted.size()));
            }
            int n = ++created;
            return random.nextInt(4) == 0
                    ? "new" + n + "/c" + n + ".txt"
                    : "d" + random.nextInt(DIRECTORIES) + "/c" + n + ".txt";
        }

        private static Map<String, String> randomMetadata(Random random) {
            Map<String, String> m = new HashMap<>();
            if (random.nextBoolean()) {
                m.put("permissions", PERMISSIONS[random.nextInt(PERMISSIONS.length)]);
            }
            if (random.nextInt(4) == 0) {
                m.put("owner", Integer.toString(1000 + random.nextInt(3)));
                m.put("group", Integer.toString(2000 + random.nextInt(3)));
            }
            return m;
        }

        private Map<String, String> maybeNewMetadata(Random random, String name) {
            return random.nextBoolean() ? current.get(name).metadata : otherMetadata(random, name);
        }

        /** Metadata with another mode than now, so that the change shows in Lustre. */
        private Map<String, String> otherMetadata(Random random, String name) {
            Map<String, String> m = new HashMap<>(current.get(name).metadata);
            String now = m.getOrDefault("permissions", "0644");
            String next;
            do {
                next = PERMISSIONS[random.nextInt(PERMISSIONS.length)];
            } while (next.equals(now));
            m.put("permissions", next);
            return m;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Helpers

    /** Both jobs: deletions on, frequent checkpoints, the conflict mode of this run. */
    private static JobSettings settings(String container, Path root, String conflictMode) {
        return TestJobs.settings(
                AZURITE,
                container,
                root,
                "--sync.enable-deletions",
                "true",
                "--sync.conflict-mode",
                conflictMode,
                "--job.checkpoint-interval",
                "150ms");
    }

    private static void awaitSynchronizedPast(JobClient job, long millis, String about) {
        TestJobs.awaitFullySynchronizedPast(REPORTER, job, millis, PATIENCE, about);
    }

    /** Conflicts the job counted in the walk and in the blob sync (latest attempt only). */
    private static String conflicts(JobID job) {
        return metric(job, "fullSync.conflicts") + " + " + metric(job, "blobSync.conflicts");
    }

    private static long metric(JobID job, String name) {
        return TestJobs.metric(REPORTER, job, name);
    }

    /** The tree without the sink's reserved directory, checked on its own. */
    private static Map<String, String> tree(Path root) throws IOException {
        return TreeSnapshot.ofMirror(root, false);
    }

    /** Files and links under the root with content or target, as {@link Blobs#expectedView}. */
    private static Map<String, String> view(Path root) throws IOException {
        Map<String, String> view = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.startsWith(".auto-import")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    view.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    view.put(rel, "file " + Files.readString(p));
                }
            }
        }
        return view;
    }

    private static Map<String, String> differences(
            Map<String, String> crashed, Map<String, String> uninterrupted) {
        Map<String, String> diff = new TreeMap<>();
        Set<String> paths = new TreeSet<>(crashed.keySet());
        paths.addAll(uninterrupted.keySet());
        for (String p : paths) {
            if (!Objects.equals(crashed.get(p), uninterrupted.get(p))) {
                diff.put(p, crashed.get(p) + " | " + uninterrupted.get(p));
            }
        }
        return diff;
    }

    /** Links whose import marker is missing or does not match them. */
    private static List<String> linksWithoutTheirMarker(Path root) throws IOException {
        NamespaceInspector inspector = new NamespaceInspector(new LustreRoot(root));
        List<String> unmarked = new ArrayList<>();
        for (Map.Entry<String, String> entry : view(root).entrySet()) {
            String path = entry.getKey();
            if (entry.getValue().startsWith("link ")
                    && inspector.importedAttributes(path).isEmpty()) {
                unmarked.add(path);
            }
        }
        return unmarked;
    }

    /** Under the staging area only: the link markers beside it are meant to stay. */
    private static List<Path> stagingLeftovers(Path root) throws IOException {
        Path staging = root.resolve(".auto-import/staging");
        if (!Files.exists(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    private static void stop(JobClient job) throws Exception {
        try {
            TestJobs.cancel(job);
        } catch (Exception alreadyOver) {
            // It failed for good (an assertion above says why) or is already cancelled.
        }
        await().atMost(PATIENCE).until(() -> job.getJobStatus().get().isGloballyTerminalState());
    }
}
