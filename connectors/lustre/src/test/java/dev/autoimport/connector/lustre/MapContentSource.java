package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/** Blob contents held in memory, by blob name and etag; a missing version is "gone". */
final class MapContentSource implements ContentSource {
    private static final long serialVersionUID = 1L;

    private final ConcurrentHashMap<String, byte[]> blobs = new ConcurrentHashMap<>();

    MapContentSource put(String blobName, String etag, byte[] content) {
        blobs.put(key(blobName, etag), content);
        return this;
    }

    MapContentSource put(String blobName, String etag, String content) {
        return put(blobName, etag, content.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Reader open() {
        return this::copyTo;
    }

    private void copyTo(String blobName, String etag, OutputStream out) throws IOException {
        byte[] content = blobs.get(key(blobName, etag));
        if (content == null) {
            throw new ContentGoneException(
                    "blob " + blobName + " at etag " + etag + " is gone", null);
        }
        out.write(content);
    }

    private static String key(String blobName, String etag) {
        return blobName + "\n" + etag;
    }
}
