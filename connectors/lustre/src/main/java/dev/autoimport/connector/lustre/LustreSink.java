package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Applies {@link LustreAction}s to a directory tree (a Lustre mount), confined to one root, and
 * emits each action's outcome: {@link #writeTo} adds the writer operator to a stream of actions and
 * returns the stream of outcomes (the actions as carried out, failures with {@code report ERROR}),
 * which the job counts and logs in one place downstream.
 *
 * <p>The sink carries actions out; the rules come from the {@link SyncPolicy}. Per subtask, many
 * actions run at once, but actions on the same path run in the order they arrived; the stream is
 * keyed upstream so that all actions on a path reach the same subtask, and the writer keeps what it
 * must repair under the same key ({@link RepairSchedule}). Every action is finished, and its
 * outcome emitted, before a checkpoint barrier passes the writer, so a completed checkpoint never
 * has unfinished writes, and a restart replays whatever was not finished. See {@link
 * LustreSinkWriter} for how failures are told apart.
 *
 * <p>What the sink expects of each action: {@link LustreAction#path} from {@link
 * LustrePaths#toRelativePath} (it is checked again); {@link LustreAction#attributes} for
 * WRITE_FILE, MAKE_SYMLINK and MAKE_DIRECTORY, with {@code size} the blob's length (a link's target
 * length): content of another length means the blob changed since the decision and is reported as
 * {@link ContentSource.ContentGoneException}. Owner and group are changed only when they differ
 * from what the sink's own user creates, so a non-root job importing its own user's entries needs
 * no privilege; a chown it may not do is reported as a failure of that blob.
 *
 * <p>Created with {@link #builder()}.
 */
public final class LustreSink implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String root;
    private final ContentSource contentSource;
    private final int maxConcurrentActions;
    private final int defaultDirectoryMode;
    private final Integer defaultDirectoryUid;
    private final Integer defaultDirectoryGid;
    private final boolean syncFiles;
    private final SyncPolicy policy;
    private final RepairSchedule repairSchedule;
    private final boolean dryRun;

    LustreSink(
            String root,
            ContentSource contentSource,
            int maxConcurrentActions,
            int defaultDirectoryMode,
            Integer defaultDirectoryUid,
            Integer defaultDirectoryGid,
            boolean syncFiles,
            SyncPolicy policy,
            RepairSchedule repairSchedule,
            boolean dryRun) {
        this.root = root;
        this.contentSource = contentSource;
        this.maxConcurrentActions = maxConcurrentActions;
        this.defaultDirectoryMode = defaultDirectoryMode;
        this.defaultDirectoryUid = defaultDirectoryUid;
        this.defaultDirectoryGid = defaultDirectoryGid;
        this.syncFiles = syncFiles;
        this.policy = policy;
        this.repairSchedule = repairSchedule;
        this.dryRun = dryRun;
    }

    public static LustreSinkBuilder builder() {
        return new LustreSinkBuilder();
    }

    /**
     * Adds the writer to {@code actions} (at their parallelism, chained to the operator before it)
     * and returns the outcomes.
     *
     * @param actions keyed so that every action on one path has the same key (for example with
     *     {@code DataStreamUtils.reinterpretAsKeyedStream} behind a keyed operator)
     * @param name the operator's name in the web UI
     */
    public SingleOutputStreamOperator<LustreAction> writeTo(
            KeyedStream<LustreAction, ?> actions, String name) {
        return actions.transform(
                name,
                TypeInformation.of(LustreAction.class),
                new LustreWriterOperatorFactory(this));
    }

    /** Opens the writer of one subtask (what the operator and tests call). */
    LustreSinkWriter createWriter(
            int subtaskIndex,
            int parallelism,
            MetricGroup metricGroup,
            MailboxExecutor mailbox,
            ActionListener listener)
            throws IOException {
        return LustreSinkWriter.open(
                this, subtaskIndex, parallelism, metricGroup, mailbox, listener);
    }

    Path root() {
        return Path.of(root);
    }

    ContentSource contentSource() {
        return contentSource;
    }

    int maxConcurrentActions() {
        return maxConcurrentActions;
    }

    SyncPolicy policy() {
        return policy;
    }

    boolean dryRun() {
        return dryRun;
    }

    RepairSchedule repairSchedule() {
        return repairSchedule;
    }

    boolean syncFiles() {
        return syncFiles;
    }

    /**
     * Owner, group and mode of parent directories the sink creates on its own; the owner defaults
     * to the user the task manager runs as, resolved where the writer runs.
     */
    PosixAttributes defaultDirectory() {
        return new PosixAttributes(
                FileKind.DIRECTORY,
                0,
                0,
                defaultDirectoryMode,
                defaultDirectoryUid == null ? NamespaceInspector.currentUid() : defaultDirectoryUid,
                defaultDirectoryGid == null
                        ? NamespaceInspector.currentGid()
                        : defaultDirectoryGid);
    }
}
