package dev.autoimport.connector.blob.listing.reader;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.listing.split.ListingPosition;

/**
 * A listed blob on its way from the fetcher thread to the emitter, with the position its split
 * reaches once it is emitted.
 */
record ListedBlob(BlobChange change, ListingPosition positionAfter) {}
