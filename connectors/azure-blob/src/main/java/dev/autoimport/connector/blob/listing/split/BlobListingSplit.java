package dev.autoimport.connector.blob.listing.split;

import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A range of blob names to list, and how far its listing got.
 *
 * <p>The range is every blob whose name starts with {@link #prefix()}: all of them when the split
 * is {@link #recursive()}, or only those with no '/' after the prefix otherwise (the blobs that sit
 * directly in the prefix's virtual directory).
 */
public final class BlobListingSplit implements SourceSplit {

    private final String prefix;
    private final boolean recursive;
    private final ListingPosition position;

    public BlobListingSplit(String prefix, boolean recursive, ListingPosition position) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.recursive = recursive;
        this.position = Objects.requireNonNull(position, "position");
    }

    /** Every blob whose name starts with {@code prefix}, from the beginning. */
    public static BlobListingSplit recursive(String prefix) {
        return new BlobListingSplit(prefix, true, ListingPosition.START);
    }

    /** The blobs directly under {@code prefix} (no further '/'), from the beginning. */
    public static BlobListingSplit direct(String prefix) {
        return new BlobListingSplit(prefix, false, ListingPosition.START);
    }

    public String prefix() {
        return prefix;
    }

    public boolean recursive() {
        return recursive;
    }

    public ListingPosition position() {
        return position;
    }

    public BlobListingSplit at(ListingPosition newPosition) {
        return new BlobListingSplit(prefix, recursive, newPosition);
    }

    @Override
    public String splitId() {
        return (recursive ? "recursive:" : "direct:") + prefix;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlobListingSplit)) {
            return false;
        }
        BlobListingSplit that = (BlobListingSplit) o;
        return recursive == that.recursive
                && prefix.equals(that.prefix)
                && position.equals(that.position);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, recursive, position);
    }

    @Override
    public String toString() {
        return "BlobListingSplit{" + splitId() + " at " + position + "}";
    }
}
