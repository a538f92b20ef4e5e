package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Applies {@link LustreAction}s to a directory tree (a Lustre mount), confined to one root.
 *
 * <p>The sink carries actions out and reports each outcome to the job's {@link ActionListener}; it
 * decides no conflict. Per subtask, many actions run at once, but actions on the same path run in
 * the order they arrived; key the stream by path upstream so that all actions on a path reach the
 * same subtask. Every action is finished before a checkpoint barrier passes the sink, so a
 * completed checkpoint never has unfinished writes, and a restart replays whatever was not
 * finished. See {@link LustreSinkWriter} for how failures are told apart.
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
public final class LustreSink implements Sink<LustreAction> {
    private static final long serialVersionUID = 1L;

    private final String root;
    private final ContentSource contentSource;
    private final ActionListener.Factory listenerFactory;
    private final int maxConcurrentActions;
    private final int defaultDirectoryMode;
    private final Integer defaultDirectoryUid;
    private final Integer defaultDirectoryGid;
    private final boolean syncFiles;
    private final SyncPolicy policy;

    LustreSink(
            String root,
            ContentSource contentSource,
            ActionListener.Factory listenerFactory,
            int maxConcurrentActions,
            int defaultDirectoryMode,
            Integer defaultDirectoryUid,
            Integer defaultDirectoryGid,
            boolean syncFiles,
            SyncPolicy policy) {
        this.root = root;
        this.contentSource = contentSource;
        this.listenerFactory = listenerFactory;
        this.maxConcurrentActions = maxConcurrentActions;
        this.defaultDirectoryMode = defaultDirectoryMode;
        this.defaultDirectoryUid = defaultDirectoryUid;
        this.defaultDirectoryGid = defaultDirectoryGid;
        this.syncFiles = syncFiles;
        this.policy = policy;
    }

    public static LustreSinkBuilder builder() {
        return new LustreSinkBuilder();
    }

    @Override
    public SinkWriter<LustreAction> createWriter(WriterInitContext context) throws IOException {
        TaskInfo task = context.getTaskInfo();
        return createWriter(
                task.getIndexOfThisSubtask(),
                task.getNumberOfParallelSubtasks(),
                context.metricGroup());
    }

    /** Opens the writer of one subtask (also what tests call, without a Flink runtime). */
    LustreSinkWriter createWriter(int subtaskIndex, int parallelism, MetricGroup metricGroup)
            throws IOException {
        return LustreSinkWriter.open(this, subtaskIndex, parallelism, metricGroup);
    }

    Path root() {
        return Path.of(root);
    }

    ContentSource contentSource() {
        return contentSource;
    }

    ActionListener.Factory listenerFactory() {
        return listenerFactory;
    }

    int maxConcurrentActions() {
        return maxConcurrentActions;
    }

    SyncPolicy policy() {
        return policy;
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
