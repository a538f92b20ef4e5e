package dev.autoimport.connector.lustre;

import dev.autoimport.connector.lustre.ContentSource.ContentGoneException;
import dev.autoimport.connector.lustre.ContentSource.SourceUnavailableException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells a failure of one blob from a failure of the whole file system (or content source), which
 * must fail the job.
 *
 * <ol>
 *   <li>Path rules and conflicts ({@link BlobPathException}), unusable link targets and blobs gone
 *       or changed ({@link ContentGoneException}) concern one blob.
 *   <li>{@link SourceUnavailableException} fails the job: no blob can be read.
 *   <li>An error the kernel reports for the device, not the entry (no space, quota, read-only, I/O
 *       error, stale handle, lost connection to the servers) fails the job.
 *   <li>Any other {@link IOException} (permission denied, operation not permitted, an entry that
 *       changed under the sink) concerns one blob, unless the root itself is no longer usable
 *       (gone, unmounted, not writable): then it fails the job.
 *   <li>Anything else is a bug: the job fails loudly rather than count it as a blob error.
 * </ol>
 */
final class FailureClassifier {

    /** An errno that concerns the whole file system, by its strerror text, and what to do. */
    private record DeviceError(String reason, String remedy) {}

    private static final List<DeviceError> DEVICE_ERRORS =
            List.of(
                    new DeviceError("no space left on device", "free space on the file system"),
                    new DeviceError(
                            "disk quota exceeded", "raise the job user's quota or free space"),
                    new DeviceError("read-only file system", "remount the file system read-write"),
                    new DeviceError(
                            "input/output error",
                            "check the Lustre client and its servers (dmesg)"),
                    new DeviceError(
                            "stale file handle", "check that the file system is still mounted"),
                    new DeviceError(
                            "transport endpoint is not connected",
                            "check the Lustre client's connection to its servers (dmesg)"),
                    new DeviceError(
                            "cannot send after transport endpoint shutdown",
                            "the Lustre client was evicted; check its connection to its servers (dmesg)"));

    private final LustreRoot root;
    private final StagingArea staging;

    FailureClassifier(LustreRoot root, StagingArea staging) {
        this.root = root;
        this.staging = staging;
    }

    /**
     * Returns the exception that must fail the job, or empty when the failure concerns this
     * action's blob only.
     */
    Optional<Exception> jobFailure(Throwable error, LustreAction action) {
        if (error instanceof PathSynchronizer.PolicyFailure) {
            return Optional.of(((PathSynchronizer.PolicyFailure) error).policyException());
        }
        if (error instanceof BlobPathException
                || error instanceof InvalidLinkTargetException
                || error instanceof ContentGoneException
                || error instanceof ContentSource.TransientSourceException) {
            return Optional.empty();
        }
        if (error instanceof SourceUnavailableException) {
            return Optional.of(
                    new IOException(
                            "The content source cannot serve blobs (while importing "
                                    + describe(action)
                                    + "): "
                                    + error.getMessage()
                                    + ". Failing the job so that Flink restarts it from the last"
                                    + " completed checkpoint; no change is lost.",
                            error));
        }
        if (!(error instanceof IOException)) {
            return Optional.of(
                    new IllegalStateException(
                            "Unexpected failure while applying " + describe(action), error));
        }
        Optional<String> remedy = deviceErrorRemedy(error);
        if (remedy.isEmpty()) {
            remedy = rootProblem();
        }
        return remedy.map(
                what ->
                        new LustreRootFailureException(
                                "The file system of Lustre root "
                                        + root
                                        + " failed while applying "
                                        + describe(action)
                                        + ": "
                                        + error.getMessage()
                                        + ". Failing the job so that Flink restarts it from the"
                                        + " last completed checkpoint; no change is lost. To do: "
                                        + what
                                        + ".",
                                error));
    }

    private static Optional<String> deviceErrorRemedy(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String reason =
                    t instanceof FileSystemException
                            ? ((FileSystemException) t).getReason()
                            : t.getMessage();
            if (reason == null) {
                continue;
            }
            String lower = reason.toLowerCase(Locale.ROOT);
            for (DeviceError known : DEVICE_ERRORS) {
                if (lower.contains(known.reason())) {
                    return Optional.of(known.remedy());
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> rootProblem() {
        Optional<String> problem = LustreRoot.findProblem(root.path());
        if (problem.isPresent()) {
            return problem;
        }
        if (staging != null && !staging.isPresent()) {
            return Optional.of(
                    "the staging directory "
                            + staging.directory()
                            + " vanished: check that the file system is still mounted at "
                            + root
                            + " and that nothing removes '"
                            + LustrePaths.RESERVED_NAME
                            + "'");
        }
        if (!Files.isWritable(staging.directory())) {
            return Optional.of("give the job's user write permission on " + staging.directory());
        }
        return Optional.empty();
    }

    private static String describe(LustreAction action) {
        return action.operation + " '" + action.path + "' (blob '" + action.blobName + "')";
    }
}
