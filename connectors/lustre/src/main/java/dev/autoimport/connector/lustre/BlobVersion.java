package dev.autoimport.connector.lustre;

import java.util.Map;

/**
 * What the blob service says of one version of a blob: from the listing, or from the headers of the
 * download that fetches its content (a GET answers with the etag, Last-Modified, length and
 * metadata, so knowing them costs no request of its own).
 *
 * @param etag unquoted
 * @param metadata keys as the service returns them
 */
public record BlobVersion(
        String blobName,
        String etag,
        long lastModifiedMillis,
        long size,
        Map<String, String> metadata) {}
