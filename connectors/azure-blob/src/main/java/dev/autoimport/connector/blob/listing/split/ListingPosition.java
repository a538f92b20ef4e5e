package dev.autoimport.connector.blob.listing.split;

import javax.annotation.Nullable;

/**
 * How far a split's listing got: the continuation marker of the page being emitted and how many of
 * that page's blobs were already emitted.
 *
 * <p>The name of the last emitted blob is kept next to the count because a count alone turns wrong
 * when a blob earlier in the page is deleted between the checkpoint and the restore: the restored
 * reader would then skip one blob that it never emitted.
 *
 * @param pageMarker continuation marker of the current page; {@code null} for the first page
 * @param emittedInPage how many blobs of the current page were emitted
 * @param lastEmittedBlobName name of the last emitted blob of the current page; {@code null} when
 *     none was emitted yet
 */
public record ListingPosition(
        @Nullable String pageMarker, int emittedInPage, @Nullable String lastEmittedBlobName) {

    /** Nothing listed yet. */
    public static final ListingPosition START = new ListingPosition(null, 0, null);

    public ListingPosition {
        if (emittedInPage < 0) {
            throw new IllegalArgumentException(
                    "emittedInPage must not be negative, was " + emittedInPage);
        }
        if ((emittedInPage == 0) != (lastEmittedBlobName == null)) {
            throw new IllegalArgumentException(
                    "lastEmittedBlobName must be set exactly when emittedInPage > 0, was "
                            + lastEmittedBlobName
                            + " with emittedInPage "
                            + emittedInPage);
        }
    }

    /** At the start of the page that {@code marker} continues to. */
    public static ListingPosition atPage(@Nullable String marker) {
        return new ListingPosition(marker, 0, null);
    }
}
