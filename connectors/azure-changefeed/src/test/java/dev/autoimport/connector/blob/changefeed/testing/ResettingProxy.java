package dev.autoimport.connector.blob.changefeed.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of Azurite that breaks connections on purpose: it can refuse
 * every connection for a while (reset at once: "connection reset" before any header), and reset a
 * seeded share of connections after a seeded number of response bytes (before the headers, after
 * them, or in the middle of a body). What it forwards, it forwards unchanged.
 *
 * <p>A fault is a TCP reset (SO_LINGER 0), not a clean close, so the client sees what a dropped
 * connection on a real network looks like.
 */
public final class ResettingProxy implements AutoCloseable {

    private final int upstreamPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> open = new ArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();
    private final Random random;

    private volatile boolean refusing;
    private volatile double resetShare;
    private volatile double readResetShare;
    private volatile int maxBytesBeforeReset = 4096;
    private volatile boolean closed;

    public ResettingProxy(int upstreamPort, long seed) throws IOException {
        this.upstreamPort = upstreamPort;
        this.random = new Random(seed);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "resetting-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The blob endpoint through this proxy, for a connection string. */
    public String blobEndpoint(String accountName) {
        return "http://127.0.0.1:" + port() + "/" + accountName;
    }

    /** Every new connection is reset at once, and so is every open one, until set back. */
    public void refuseAll(boolean refuse) {
        refusing = refuse;
        if (refuse) {
            resetOpenConnections();
        }
    }

    /**
     * This share (0 to 1) of new connections is reset after a random number of response bytes,
     * between 0 and {@code maxBytes}.
     */
    public void resetShareOfConnections(double share, int maxBytes) {
        this.maxBytesBeforeReset = maxBytes;
        this.resetShare = share;
    }

    /**
     * Each read of response bytes (on loopback, a small response is one read) resets its connection
     * with this probability (0 to 1), after a random part of what was read: a per response fault,
     * before the headers, after them or mid-body.
     */
    public void resetShareOfReads(double share) {
        this.readResetShare = share;
    }

    /** How many connections the proxy reset so far. */
    public int resets() {
        return resets.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                reset(client);
                continue;
            }
            long cutAfter;
            synchronized (random) {
                cutAfter =
                        random.nextDouble() < resetShare
                                ? random.nextInt(Math.max(1, maxBytesBeforeReset))
                                : Long.MAX_VALUE;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                synchronized (open) {
                    open.add(client);
                    open.add(upstream);
                }
                pump("request", client, upstream, Long.MAX_VALUE);
                pump("response", upstream, client, cutAfter);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(String what, Socket from, Socket to, long cutAfter) {
        Thread t =
                new Thread(
                        () -> {
                            byte[] buffer = new byte[8192];
                            long forwarded = 0;
                            try {
                                InputStream in = from.getInputStream();
                                OutputStream out = to.getOutputStream();
                                int n;
                                while ((n = in.read(buffer)) >= 0) {
                                    long cut = cutAfter;
                                    if (cutAfter != Long.MAX_VALUE || what.equals("response")) {
                                        cut = Math.min(cut, readCut(forwarded, n));
                                    }
                                    if (forwarded + n > cut) {
                                        int part = (int) (cut - forwarded);
                                        out.write(buffer, 0, part);
                                        out.flush();
                                        reset(to);
                                        reset(from);
                                        return;
                                    }
                                    out.write(buffer, 0, n);
                                    out.flush();
                                    forwarded += n;
                                }
                                to.shutdownOutput();
                            } catch (IOException e) {
                                quietClose(from);
                                quietClose(to);
                            }
                        },
                        "resetting-proxy-" + what);
        t.setDaemon(true);
        t.start();
    }

    /** Where this read is cut, by {@link #resetShareOfReads}; MAX_VALUE for nowhere. */
    private long readCut(long forwarded, int n) {
        double share = readResetShare;
        if (share <= 0) {
            return Long.MAX_VALUE;
        }
        synchronized (random) {
            return random.nextDouble() < share ? forwarded + random.nextInt(n) : Long.MAX_VALUE;
        }
    }

    private void resetOpenConnections() {
        List<Socket> all;
        synchronized (open) {
            all = new ArrayList<>(open);
            open.clear();
        }
        all.forEach(this::reset);
    }

    private void reset(Socket s) {
        if (s.isClosed()) {
            return;
        }
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closed meanwhile
        }
        resets.incrementAndGet();
        quietClose(s);
    }

    private static void quietClose(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        quietClose(server);
        resetOpenConnections();
    }
}
