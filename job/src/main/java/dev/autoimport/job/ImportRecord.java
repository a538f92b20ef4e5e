package dev.autoimport.job;

import dev.autoimport.connector.lustre.PosixAttributes;

/**
 * What this job last did to one path: the blob version it imported and the attributes the import
 * set. Kept in keyed state (RocksDB); a Flink POJO so that state evolves with fields added.
 *
 * <p>{@link #previous} keeps the attributes of the import before, because the record is written
 * when an import is decided, before the sink carries it out: if that write then fails, the file
 * still looks like the previous import and must still count as clean.
 */
public class ImportRecord {

    /** Etag of the imported blob version. */
    public String etag;

    /** Last-Modified of that version, epoch milliseconds. */
    public long lastModifiedMillis;

    /**
     * Change-feed sequencer of the event that led to the import; null when it came from the walk.
     */
    public String sequencer;

    public PosixAttributes imported;

    public PosixAttributes previous;

    public ImportRecord() {}

    public ImportRecord(
            String etag,
            long lastModifiedMillis,
            String sequencer,
            PosixAttributes imported,
            PosixAttributes previous) {
        this.etag = etag;
        this.lastModifiedMillis = lastModifiedMillis;
        this.sequencer = sequencer;
        this.imported = imported;
        this.previous = previous;
    }

    /** Whether the path is exactly as this job left it (after the last or the one before). */
    public boolean isClean(PosixAttributes observed) {
        return observed != null
                && (observed.sameAs(imported) || (previous != null && observed.sameAs(previous)));
    }

    @Override
    public String toString() {
        return "ImportRecord{etag=" + etag + ", imported=" + imported + "}";
    }
}
