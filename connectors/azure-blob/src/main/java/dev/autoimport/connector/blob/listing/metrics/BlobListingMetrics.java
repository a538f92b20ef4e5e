package dev.autoimport.connector.blob.listing.metrics;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/** The listing's metrics, registered under one named group of a reader's metric group. */
public final class BlobListingMetrics {

    /** Counter: blobs the listing emitted, re-emissions after a restore included. */
    public static final String BLOBS_WALKED = "blobsWalked";

    /** Meter: blobs emitted per second, over {@link #BLOBS_WALKED}. */
    public static final String BLOB_WALK_RATE = "blobWalkRate";

    private final Counter blobsWalked;

    public BlobListingMetrics(MetricGroup readerMetricGroup, String groupName) {
        MetricGroup group = readerMetricGroup.addGroup(groupName);
        this.blobsWalked = group.counter(BLOBS_WALKED);
        group.meter(BLOB_WALK_RATE, new MeterView(blobsWalked));
    }

    public void blobWalked() {
        blobsWalked.inc();
    }
}
