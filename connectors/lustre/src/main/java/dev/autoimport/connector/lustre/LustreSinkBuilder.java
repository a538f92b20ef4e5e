package dev.autoimport.connector.lustre;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds a {@link LustreSink}; every setting is checked when set or, at the latest, in {@link
 * #build}.
 */
public final class LustreSinkBuilder {

    /** Above this, more threads only queue on the file system's metadata servers. */
    public static final int MAX_CONCURRENT_ACTIONS_LIMIT = 1024;

    public static final int DEFAULT_MAX_CONCURRENT_ACTIONS = 32;
    public static final int DEFAULT_DIRECTORY_MODE = 0755;

    private String root;
    private ContentSource contentSource;
    private int maxConcurrentActions = DEFAULT_MAX_CONCURRENT_ACTIONS;
    private int defaultDirectoryMode = DEFAULT_DIRECTORY_MODE;
    private Integer defaultDirectoryUid;
    private Integer defaultDirectoryGid;
    private SyncPolicy policy;
    private boolean syncFiles;
    private RepairSchedule repairSchedule = RepairSchedule.defaults();
    private boolean dryRun;

    LustreSinkBuilder() {}

    /**
     * The directory to mirror into: an absolute path to an existing directory the task managers can
     * write. Required.
     */
    public LustreSinkBuilder setRoot(String absolutePath) {
        this.root = absolutePath;
        return this;
    }

    /** Where file contents and link targets come from. Required. */
    public LustreSinkBuilder setContentSource(ContentSource contentSource) {
        this.contentSource = contentSource;
        return this;
    }

    /**
     * How many actions one subtask carries out at once (downloads and file system calls); the
     * writer takes no more input while that many are unfinished. Default {@value
     * #DEFAULT_MAX_CONCURRENT_ACTIONS}.
     */
    public LustreSinkBuilder setMaxConcurrentActions(int maxConcurrentActions) {
        if (maxConcurrentActions < 1 || maxConcurrentActions > MAX_CONCURRENT_ACTIONS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxConcurrentActions must be between 1 and "
                            + MAX_CONCURRENT_ACTIONS_LIMIT
                            + ", got "
                            + maxConcurrentActions);
        }
        this.maxConcurrentActions = maxConcurrentActions;
        return this;
    }

    /**
     * Mode of the parent directories the sink creates because an entry below them arrived before
     * (or without) their own directory blob. Default {@code 0755}.
     */
    public LustreSinkBuilder setDefaultDirectoryMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException(
                    "defaultDirectoryMode must be within 07777 (octal), got 0"
                            + Integer.toOctalString(mode));
        }
        this.defaultDirectoryMode = mode;
        return this;
    }

    /**
     * Owner and group of the parent directories the sink creates on its own. Default: the user and
     * primary group the task managers run as.
     */
    public LustreSinkBuilder setDefaultDirectoryOwner(int uid, int gid) {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException(
                    "default directory owner must be numeric IDs >= 0, got " + uid + ":" + gid);
        }
        this.defaultDirectoryUid = uid;
        this.defaultDirectoryGid = gid;
        return this;
    }

    /**
     * Whether each file is fsynced before its rename. Off by default: a crashed task manager
     * process loses nothing, and only a crash of the machine's operating system could leave the
     * latest files without data; on, it costs one round trip to the storage servers per file.
     */
    public LustreSinkBuilder setSyncFiles(boolean syncFiles) {
        this.syncFiles = syncFiles;
        return this;
    }

    /**
     * The rules for {@link LustreAction.Operation#SYNC} and {@link LustreAction.Operation#REMOVE}
     * actions (what a blob becomes, what to do with a path already there). Without one, the sink
     * carries out concrete actions only.
     */
    public LustreSinkBuilder setPolicy(SyncPolicy policy) {
        this.policy = policy;
        return this;
    }

    /**
     * When an action that failed for a passing reason of the content source is tried again, and
     * when it counts as an error. Default {@link RepairSchedule#defaults()}; {@link
     * RepairSchedule#inPlaceOnly()} for a bounded input, whose end leaves no time for repairs.
     */
    public LustreSinkBuilder setRepairSchedule(RepairSchedule repairSchedule) {
        if (repairSchedule == null) {
            throw new IllegalArgumentException("repairSchedule must not be null");
        }
        this.repairSchedule = repairSchedule;
        return this;
    }

    /**
     * A dry run: every action is decided against the tree as it is and its outcome emitted as if it
     * had been carried out, but nothing under the root changes, not even the reserved directory (no
     * staging area, no import markers). Downloads are started for their headers only.
     */
    public LustreSinkBuilder setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is missing or wrong, and why
     */
    public LustreSink build() {
        if (root == null) {
            throw new IllegalArgumentException(
                    "setRoot(...) is required: the absolute path of the Lustre directory to mirror"
                            + " into");
        }
        Path rootPath;
        try {
            rootPath = Path.of(root);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(
                    "Lustre root '" + root + "' is not a valid path: " + e.getReason(), e);
        }
        Optional<String> problem = LustreRoot.findProblem(rootPath);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        if (contentSource == null) {
            throw new IllegalArgumentException(
                    "setContentSource(...) is required: where file contents and link targets come"
                            + " from");
        }
        return new LustreSink(
                root,
                contentSource,
                maxConcurrentActions,
                defaultDirectoryMode,
                defaultDirectoryUid,
                defaultDirectoryGid,
                syncFiles,
                policy,
                repairSchedule,
                dryRun);
    }
}
