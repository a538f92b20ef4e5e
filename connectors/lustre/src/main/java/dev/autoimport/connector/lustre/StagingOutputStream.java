package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * The stream a {@link ContentSource.Reader} writes a blob into. It counts bytes, refuses more than
 * the limit, and remembers its own failures: a content source may wrap whatever the stream throws,
 * and a full disk must still be recognised as the file system's failure, not the blob's.
 */
final class StagingOutputStream extends OutputStream {

    private final OutputStream out;
    private final long limit;
    private final Supplier<IOException> overLimit;
    private volatile long count;
    private volatile IOException failure;

    StagingOutputStream(OutputStream out, long limit, Supplier<IOException> overLimit) {
        this.out = out;
        this.limit = limit;
        this.overLimit = overLimit;
    }

    @Override
    public void write(int b) throws IOException {
        reserve(1);
        try {
            out.write(b);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        reserve(length);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    long count() {
        return count;
    }

    /**
     * The first failure this stream threw, or null: that one, not the source's, tells the cause.
     */
    IOException failure() {
        return failure;
    }

    private void reserve(int length) throws IOException {
        if (count + length > limit) {
            throw remember(overLimit.get());
        }
        count += length;
    }

    private IOException remember(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }
}
