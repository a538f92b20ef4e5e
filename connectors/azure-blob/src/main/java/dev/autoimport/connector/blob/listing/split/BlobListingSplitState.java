package dev.autoimport.connector.blob.listing.split;

/** The mutable position of a split being read, advanced as each record is emitted. */
public final class BlobListingSplitState {

    private final BlobListingSplit split;
    private ListingPosition position;

    public BlobListingSplitState(BlobListingSplit split) {
        this.split = split;
        this.position = split.position();
    }

    public void setPosition(ListingPosition position) {
        this.position = position;
    }

    public BlobListingSplit toBlobListingSplit() {
        return split.at(position);
    }
}
