package dev.autoimport.connector.blob.listing;

import dev.autoimport.connector.blob.BlobStorageConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link BlobListingSource}. Only the storage config is required; by default the whole
 * container is listed, 5,000 blobs per page, with metrics under {@code fullSync}.
 */
public final class BlobListingSourceBuilder {

    /** The most blobs the service returns in one listing page. */
    public static final int MAX_PAGE_SIZE = 5000;

    public static final String DEFAULT_METRIC_GROUP_NAME = "fullSync";

    private BlobStorageConfig storageConfig;
    private List<String> prefixes = List.of("");
    private int pageSize = MAX_PAGE_SIZE;
    private String metricGroupName = DEFAULT_METRIC_GROUP_NAME;

    BlobListingSourceBuilder() {}

    public BlobListingSourceBuilder setStorageConfig(BlobStorageConfig storageConfig) {
        this.storageConfig = storageConfig;
        return this;
    }

    /**
     * Blob-name prefixes to list, without a leading '/'; {@code ""} lists the whole container. A
     * prefix matches as a string: {@code "data"} also lists {@code "data2/x"}.
     */
    public BlobListingSourceBuilder setPrefixes(List<String> prefixes) {
        this.prefixes = prefixes == null ? null : new ArrayList<>(prefixes);
        return this;
    }

    /** Blobs per listing request, 1 to 5,000; also the most a restore lists again. */
    public BlobListingSourceBuilder setPageSize(int pageSize) {
        this.pageSize = pageSize;
        return this;
    }

    /** The metric group, under each reader's group, that holds the listing's metrics. */
    public BlobListingSourceBuilder setMetricGroupName(String metricGroupName) {
        this.metricGroupName = metricGroupName;
        return this;
    }

    public BlobListingSource build() {
        sanityCheck();
        return new BlobListingSource(storageConfig, prefixes, pageSize, metricGroupName);
    }

    private void sanityCheck() {
        if (storageConfig == null) {
            throw new IllegalStateException(
                    "No storage config: call setStorageConfig(BlobStorageConfig.ofConnectionString"
                            + "(...)), ofSas(...) or ofDefaultCredential(...).");
        }
        checkPrefixes();
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(
                    "Page size "
                            + pageSize
                            + " is out of range: the service returns 1 to "
                            + MAX_PAGE_SIZE
                            + " blobs per page. Pass a value in that range to setPageSize.");
        }
        if (metricGroupName == null || metricGroupName.isBlank()) {
            throw new IllegalArgumentException(
                    "The metric group name is empty: pass a name such as \"fullSync\" to"
                            + " setMetricGroupName, or leave it unset.");
        }
    }

    private void checkPrefixes() {
        if (prefixes == null || prefixes.isEmpty()) {
            throw new IllegalArgumentException(
                    "No prefixes: pass List.of(\"\") to setPrefixes to list the whole container.");
        }
        for (String prefix : prefixes) {
            if (prefix == null) {
                throw new IllegalArgumentException(
                        "A prefix is null: pass \"\" to list the whole container.");
            }
            if (prefix.startsWith("/")) {
                throw new IllegalArgumentException(
                        "Prefix '"
                                + prefix
                                + "' starts with '/', but blob names do not: pass '"
                                + prefix.replaceFirst("^/+", "")
                                + "'.");
            }
        }
        for (int i = 0; i < prefixes.size(); i++) {
            for (int j = 0; j < prefixes.size(); j++) {
                String a = prefixes.get(i);
                String b = prefixes.get(j);
                if (i != j && b.startsWith(a)) {
                    throw new IllegalArgumentException(
                            "Prefixes '"
                                    + a
                                    + "' and '"
                                    + b
                                    + "' overlap: every blob under '"
                                    + b
                                    + "' would be listed twice. Keep only '"
                                    + a
                                    + "'.");
                }
            }
        }
    }
}
