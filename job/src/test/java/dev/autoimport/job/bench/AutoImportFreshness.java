package dev.autoimport.job.bench;

import java.util.Optional;

/**
 * HOOK FOR THE LEAD — time for the auto-import job (change-feed mode) to reflect 100 changes.
 *
 * <p>Not measured in this build: the change-feed source is not wired into {@code
 * AutoImportPipeline} yet, and Azurite has no change feed of its own. Once it is, fill in {@link
 * #measure} as follows, and the table and chart pick the number up unchanged:
 *
 * <ol>
 *   <li>start the auto-import job ({@code --mode auto-import}) on {@code container} into a fresh
 *       directory and wait until {@code fullSync.blobsWalked} equals the container's size and the
 *       walk has finished;
 *   <li>apply the same 100 changes ({@link Corpus#applyHundredChanges}) and publish them to {@code
 *       $blobchangefeed} the way the change-feed test fixture writes a feed (FIELD-NOTES:
 *       segments.json, segment manifest, Avro chunks; advance {@code lastConsumable} last);
 *   <li>return the seconds from publishing until {@code blobSync.blobsImported} reaches 100 (or
 *       {@code blobSync.lastFullySynchronizedTime} passes the publish time), then cancel the job.
 * </ol>
 *
 * <p>Never return an estimate: an empty result prints as "not measured".
 */
final class AutoImportFreshness {

    static final String NOT_AVAILABLE =
            "not measured: change-feed mode not available in this build";

    private AutoImportFreshness() {}

    /**
     * Seconds until the running auto-import job has applied 100 changes to {@code container}, or
     * empty when this build cannot measure it (see {@link #note()}).
     */
    static Optional<Double> measure(AzuriteServer azurite, Corpus.Spec container) {
        return Optional.empty();
    }

    /** Why {@link #measure} returned empty. */
    static String note() {
        return NOT_AVAILABLE;
    }
}
