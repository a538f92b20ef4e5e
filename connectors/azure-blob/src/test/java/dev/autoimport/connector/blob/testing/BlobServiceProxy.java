package dev.autoimport.connector.blob.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 between the Azure SDK (or rclone) and Azurite, for tests and the
 * benchmark: it adds a fixed delay to every response, counts requests by {@link RequestKind}, and
 * injects {@link Fault}s at a seeded rate per kind.
 *
 * <p>Use it as {@code try (BlobServiceProxy proxy = BlobServiceProxy.start(azuritePort, seed))},
 * and point the client at {@link #blobEndpoint()} or {@link #connectionString()}.
 *
 * <p>Design: Netty, a few event-loop threads (no thread per request or per connection). Each client
 * connection gets its own keep-alive connection to Azurite on the same event loop, used for one
 * request at a time (the client connection stops reading until the response is written, so a
 * pipelining client is served in order). Request and response are each aggregated whole (at most
 * {@value #MAX_BODY_BYTES} bytes), and the response is written {@link #setDelay delay} after it
 * came from Azurite, by a timer of the event loop: a delayed response holds no thread. Hop-by-hop
 * headers ({@code Connection}, {@code Keep-Alive}) are the proxy's own on each side.
 *
 * <p>Azurite (Node.js) closes a keep-alive connection after 5 s idle. The proxy never reuses a
 * connection to Azurite that has been idle {@value #BACKEND_IDLE_REUSE_MILLIS} ms or more, and when
 * a reused connection closes before any byte of its response came back (the close raced with the
 * request), it sends the request again once on a new connection: the client never sees the server's
 * idle close as a reset.
 */
public final class BlobServiceProxy implements AutoCloseable {

    /** Largest request or response body the proxy forwards. */
    public static final int MAX_BODY_BYTES = 64 << 20;

    /** A connection to Azurite idle this long is not reused (Azurite closes it at 5 s). */
    static final long BACKEND_IDLE_REUSE_MILLIS = 4_000;

    /** After headers or part of a body are written, the reset follows this much later. */
    private static final long RESET_AFTER_WRITE_MILLIS = 50;

    /** What a request does, from its method and URL (path-style, as Azurite serves). */
    public enum RequestKind {
        /** {@code GET} of a blob: a download (the whole blob or a range). */
        DOWNLOAD,
        /** {@code HEAD} of a blob, or {@code GET ?comp=metadata}: properties or metadata. */
        PROPERTIES,
        /** {@code GET ?comp=list}: a page of a blob or container listing. */
        LIST,
        /** Any request under the {@code $blobchangefeed} container: the change feed's reads. */
        CHANGE_FEED,
        /** {@code PUT}, {@code POST}, {@code DELETE}, {@code PATCH}: uploads, leases, deletions. */
        WRITE,
        /** Everything else, e.g. container or service properties. */
        OTHER;

        /** Classifies a request from its method and request URI. */
        public static RequestKind of(String method, String uri) {
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            String query = q < 0 ? "" : uri.substring(q + 1);
            // /account/container/blob...
            String[] segments = path.replaceFirst("^/+", "").split("/", 3);
            String container = segments.length > 1 ? segments[1] : "";
            boolean blob = segments.length > 2 && !segments[2].isEmpty();
            if (container.equals("$blobchangefeed")
                    || container.equalsIgnoreCase("%24blobchangefeed")) {
                return CHANGE_FEED;
            }
            String comp = parameter(query, "comp");
            switch (method) {
                case "GET":
                case "HEAD":
                    if ("list".equals(comp)) {
                        return LIST;
                    }
                    if (!blob) {
                        return OTHER;
                    }
                    if (method.equals("HEAD") || "metadata".equals(comp)) {
                        return PROPERTIES;
                    }
                    return comp == null ? DOWNLOAD : OTHER;
                case "PUT":
                case "POST":
                case "DELETE":
                case "PATCH":
                    return WRITE;
                default:
                    return OTHER;
            }
        }

        private static String parameter(String query, String name) {
            for (String p : query.split("&")) {
                if (p.startsWith(name + "=")) {
                    return p.substring(name.length() + 1);
                }
            }
            return null;
        }
    }

    /** A fault the proxy injects in place of (or in the middle of) a response. */
    public enum Fault {
        /** 503 Service Unavailable, no {@code Retry-After}; the request is not forwarded. */
        UNAVAILABLE,
        /** 503 with {@code Retry-After: 1}; not forwarded. */
        UNAVAILABLE_RETRY_AFTER,
        /** 500 {@code InternalError}; not forwarded. */
        INTERNAL_ERROR,
        /**
         * 503 {@code ServerBusy}, as a storage partition over its targets answers; not forwarded.
         */
        SERVER_BUSY,
        /** 429 Too Many Requests; not forwarded. */
        TOO_MANY_REQUESTS,
        /** Forwarded (it takes effect); the client's connection is reset instead of answered. */
        RESET_BEFORE_HEADERS,
        /**
         * Forwarded; the status line and headers are written, then the connection is reset. A
         * response without a body (HEAD, 201, ...) is then complete, so use a download.
         */
        RESET_AFTER_HEADERS,
        /** Forwarded; headers and the first half of the body are written, then a reset. */
        RESET_MID_BODY,
        /**
         * Forwarded; the response is held {@link #setStall} longer than the delay, then written.
         */
        STALL;

        boolean answeredByProxy() {
            return ordinal() <= TOO_MANY_REQUESTS.ordinal();
        }
    }

    /** Requests counted since the last {@link #resetCounts()}, and the faults injected. */
    public record Counts(
            Map<RequestKind, Long> byKind,
            Map<String, Long> byMethodAndKind,
            Map<Fault, Long> faults) {

        /** Requests of one kind. */
        public long get(RequestKind kind) {
            return byKind.getOrDefault(kind, 0L);
        }

        /** All requests. */
        public long total() {
            return byKind.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Faults of one kind injected. */
        public long faults(Fault fault) {
            return faults.getOrDefault(fault, 0L);
        }

        /** The difference to an earlier snapshot. */
        public Counts minus(Counts earlier) {
            return combine(earlier, -1);
        }

        /** The sum of two counts, e.g. of two measurements of the same kind. */
        public Counts plus(Counts other) {
            return combine(other, 1);
        }

        private Counts combine(Counts other, int sign) {
            return new Counts(
                    combine(byKind, other.byKind, sign),
                    combine(byMethodAndKind, other.byMethodAndKind, sign),
                    combine(faults, other.faults, sign));
        }

        /** {@code a + sign × b} per key, without the keys that come to 0. */
        private static <K> Map<K, Long> combine(Map<K, Long> a, Map<K, Long> b, int sign) {
            Map<K, Long> out = new TreeMap<>(a);
            b.forEach((k, v) -> out.merge(k, sign * v, Long::sum));
            out.values().removeIf(v -> v == 0);
            return Collections.unmodifiableMap(out);
        }

        @Override
        public String toString() {
            return byMethodAndKind.toString();
        }
    }

    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final Class<? extends Channel> socketChannel;
    private final Channel server;
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

    private volatile long delayNanos;
    private volatile long stallNanos = TimeUnit.SECONDS.toNanos(30);

    private final Map<RequestKind, LongAdder> byKind = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byMethodAndKind = new ConcurrentHashMap<>();
    private final Map<Fault, LongAdder> faultsInjected = new ConcurrentHashMap<>();

    /** Per kind: the faults and their rates, and the kind's own seeded random numbers. */
    private final Map<RequestKind, Map<Fault, Double>> faultRates = new ConcurrentHashMap<>();

    private final Map<RequestKind, SplittableRandom> random = new EnumMap<>(RequestKind.class);
    private final AtomicInteger backendConnections = new AtomicInteger();

    private BlobServiceProxy(int targetPort, long seed, int threadCount)
            throws InterruptedException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        for (RequestKind k : RequestKind.values()) {
            random.put(k, new SplittableRandom(seed * 31 + k.ordinal()));
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory =
                r -> {
                    Thread t =
                            new FastThreadLocalThread(
                                    r, "blob-proxy-" + targetPort + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    threads.add(t);
                    return t;
                };
        // Epoll (Linux, from azure-core-http-netty) costs less CPU per request than NIO.
        boolean epoll = Epoll.isAvailable();
        this.group =
                epoll
                        ? new EpollEventLoopGroup(threadCount, factory)
                        : new NioEventLoopGroup(threadCount, factory);
        this.socketChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.server =
                new ServerBootstrap()
                        .group(group)
                        .channel(
                                epoll
                                        ? EpollServerSocketChannel.class
                                        : NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(
                                new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        ch.pipeline()
                                                .addLast(new HttpServerCodec())
                                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                                .addLast(new ClientConnection());
                                    }
                                })
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .sync()
                        .channel();
    }

    /**
     * A proxy to the blob service on {@code 127.0.0.1:targetPort}, with no delay and no faults, on
     * two event-loop threads; {@code seed} seeds the choice of faults.
     */
    public static BlobServiceProxy start(int targetPort, long seed) throws InterruptedException {
        return new BlobServiceProxy(targetPort, seed, 2);
    }

    /** The port the proxy listens on, on 127.0.0.1. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The Azurite account's blob endpoint through the proxy. */
    public String blobEndpoint() {
        return AzuriteExtension.blobEndpoint(port());
    }

    /** A connection string for the Azurite account through the proxy. */
    public String connectionString() {
        return AzuriteExtension.connectionString(port());
    }

    /** Adds {@code delay} to every response from now on (zero: none). */
    public void setDelay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** How much longer than the delay a {@link Fault#STALL} holds its response (default 30 s). */
    public void setStall(Duration stall) {
        stallNanos = stall.toNanos();
    }

    /**
     * Injects {@code fault} into a share {@code rate} (0 to 1) of the requests of {@code kind} from
     * now on, decided by the kind's seeded random numbers; the rates of one kind add up to at most
     * 1. Rate 0 removes it.
     */
    public void injectFault(RequestKind kind, Fault fault, double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("rate must be in [0, 1], was " + rate);
        }
        faultRates.compute(
                kind,
                (k, old) -> {
                    Map<Fault, Double> m = new EnumMap<>(Fault.class);
                    if (old != null) {
                        m.putAll(old);
                    }
                    if (rate == 0) {
                        m.remove(fault);
                    } else {
                        m.put(fault, rate);
                    }
                    double sum = m.values().stream().mapToDouble(Double::doubleValue).sum();
                    if (sum > 1 + 1e-9) {
                        throw new IllegalArgumentException(
                                "fault rates of " + kind + " add up to " + sum + " > 1");
                    }
                    return m.isEmpty() ? null : m;
                });
    }

    /** No faults from now on. */
    public void clearFaults() {
        faultRates.clear();
    }

    /** The requests counted (and faults injected) since the start or the last reset. */
    public Counts counts() {
        Map<RequestKind, Long> kinds = new EnumMap<>(RequestKind.class);
        byKind.forEach((k, v) -> kinds.put(k, v.sum()));
        Map<String, Long> methods = new TreeMap<>();
        byMethodAndKind.forEach((k, v) -> methods.put(k, v.sum()));
        Map<Fault, Long> faults = new EnumMap<>(Fault.class);
        faultsInjected.forEach((k, v) -> faults.put(k, v.sum()));
        return new Counts(
                Collections.unmodifiableMap(kinds),
                Collections.unmodifiableMap(methods),
                Collections.unmodifiableMap(faults));
    }

    /** Sets every count to zero. */
    public void resetCounts() {
        byKind.clear();
        byMethodAndKind.clear();
        faultsInjected.clear();
    }

    /** Connections the proxy has opened to the blob service so far. */
    public int backendConnectionsOpened() {
        return backendConnections.get();
    }

    /** CPU seconds the proxy's threads have used so far. */
    public double cpuSeconds() {
        long nanos = 0;
        synchronized (threads) {
            for (Thread t : threads) {
                long cpu = threadBean.getThreadCpuTime(t.getId());
                nanos += Math.max(0, cpu);
            }
        }
        return nanos / 1e9;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Fault pickFault(RequestKind kind) {
        Map<Fault, Double> rates = faultRates.get(kind);
        if (rates == null) {
            return null;
        }
        double r;
        SplittableRandom rnd = random.get(kind);
        synchronized (rnd) {
            r = rnd.nextDouble();
        }
        double cumulative = 0;
        for (Map.Entry<Fault, Double> e : rates.entrySet()) {
            cumulative += e.getValue();
            if (r < cumulative) {
                faultsInjected.computeIfAbsent(e.getKey(), f -> new LongAdder()).increment();
                return e.getKey();
            }
        }
        return null;
    }

    private static FullHttpResponse errorResponse(Fault fault) {
        HttpResponseStatus status;
        String code;
        String message;
        switch (fault) {
            case UNAVAILABLE:
            case UNAVAILABLE_RETRY_AFTER:
                status = HttpResponseStatus.SERVICE_UNAVAILABLE;
                code = "ServiceUnavailable";
                message = "The server is currently unable to receive requests.";
                break;
            case SERVER_BUSY:
                status = HttpResponseStatus.SERVICE_UNAVAILABLE;
                code = "ServerBusy";
                message = "The server is busy.";
                break;
            case INTERNAL_ERROR:
                status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                code = "InternalError";
                message = "The server encountered an internal error. Please retry the request.";
                break;
            case TOO_MANY_REQUESTS:
                status = HttpResponseStatus.TOO_MANY_REQUESTS;
                code = "TooManyRequests";
                message = "Too many requests.";
                break;
            default:
                throw new IllegalArgumentException(fault + " is not answered by the proxy");
        }
        byte[] body =
                ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>"
                                + code
                                + "</Code><Message>"
                                + message
                                + "</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/xml")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("x-ms-error-code", code);
        if (fault == Fault.UNAVAILABLE_RETRY_AFTER) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        return r;
    }

    /** Resets a connection: the peer reads ECONNRESET, not an orderly end of stream. */
    private static void reset(Channel ch) {
        if (ch.isOpen()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private static void stripHopByHop(HttpMessage m) {
        m.headers()
                .remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove(HttpHeaderNames.EXPECT)
                .remove(HttpHeaderNames.PROXY_CONNECTION);
        if (HttpUtil.isTransferEncodingChunked(m) && m instanceof FullHttpResponse full) {
            HttpUtil.setTransferEncodingChunked(m, false);
            HttpUtil.setContentLength(m, full.content().readableBytes());
        }
    }

    /**
     * One client connection and its connection to Azurite; every method runs on the client
     * channel's event loop (the backend channel is registered on the same one).
     */
    private final class ClientConnection extends SimpleChannelInboundHandler<FullHttpRequest> {
        private Channel client;
        private Channel backend;
        private long backendIdleSince;
        private boolean backendReused;

        /** The request being served (retained for a resend), its fault and keep-alive. */
        private FullHttpRequest inFlight;

        private Fault fault;
        private boolean keepAlive;
        private boolean resent;
        private boolean responseStarted;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            client = ctx.channel();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String method = request.method().name();
            RequestKind kind = RequestKind.of(method, request.uri());
            byKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
            byMethodAndKind.computeIfAbsent(method + " " + kind, k -> new LongAdder()).increment();
            keepAlive = HttpUtil.isKeepAlive(request);
            fault = pickFault(kind);
            // One request at a time per connection: the next is read after this response.
            client.config().setAutoRead(false);
            if (fault != null && fault.answeredByProxy()) {
                respond(errorResponse(fault));
                return;
            }
            stripHopByHop(request);
            inFlight = request.retain();
            resent = false;
            send();
        }

        private void send() {
            boolean idleTooLong =
                    System.nanoTime() - backendIdleSince
                            > TimeUnit.MILLISECONDS.toNanos(BACKEND_IDLE_REUSE_MILLIS);
            if (backend != null && backend.isActive() && !idleTooLong) {
                backendReused = true;
                write();
                return;
            }
            if (backend != null) {
                Channel old = backend;
                backend = null; // before closing: its close is no longer this request's business
                old.close();
            }
            backendReused = false;
            backendConnections.incrementAndGet();
            ChannelFuture connect =
                    new Bootstrap()
                            .group(client.eventLoop())
                            .channel(socketChannel)
                            .option(ChannelOption.TCP_NODELAY, true)
                            .handler(
                                    new ChannelInitializer<Channel>() {
                                        @Override
                                        protected void initChannel(Channel c) {
                                            c.pipeline()
                                                    .addLast(new FirstByte())
                                                    .addLast(new HttpClientCodec())
                                                    .addLast(
                                                            new HttpObjectAggregator(
                                                                    MAX_BODY_BYTES))
                                                    .addLast(new BackendHandler());
                                        }
                                    })
                            .connect(target);
            // Assigned before the listener runs: a loopback connect may complete at once.
            backend = connect.channel();
            connect.addListener(
                    f -> {
                        if (f.isSuccess()) {
                            write();
                        } else if (connect.channel() == backend) {
                            backend = null;
                            abandon();
                        }
                    });
        }

        private void write() {
            responseStarted = false;
            backend.writeAndFlush(inFlight.retainedDuplicate())
                    .addListener(
                            f -> {
                                if (!f.isSuccess()) {
                                    backend.close();
                                }
                            });
        }

        /** The request cannot be forwarded: the client sees a reset. */
        private void abandon() {
            release();
            reset(client);
        }

        private void release() {
            if (inFlight != null) {
                inFlight.release();
                inFlight = null;
            }
        }

        void onBackendResponse(Channel from, FullHttpResponse response) {
            if (from != backend || inFlight == null) {
                return; // a late answer on a connection given up
            }
            release();
            backendIdleSince = System.nanoTime();
            if (!HttpUtil.isKeepAlive(response)) {
                backend = null; // the next request opens another
                from.close();
            }
            stripHopByHop(response);
            respond(response.retain());
        }

        void onBackendClosed(Channel from) {
            if (from != backend) {
                return;
            }
            backend = null;
            if (inFlight == null) {
                return;
            }
            if (backendReused && !responseStarted && !resent) {
                // Azurite closed the idle connection as the request went out: send it again.
                resent = true;
                send();
            } else {
                abandon();
            }
        }

        /** Writes the response (or the fault in its place) after the delay. */
        private void respond(FullHttpResponse response) {
            long wait = delayNanos + (fault == Fault.STALL ? stallNanos : 0);
            if (wait <= 0) {
                deliver(response);
            } else {
                client.eventLoop().schedule(() -> deliver(response), wait, TimeUnit.NANOSECONDS);
            }
        }

        private void deliver(FullHttpResponse response) {
            if (!client.isActive()) {
                response.release();
                return;
            }
            if (fault == Fault.RESET_BEFORE_HEADERS) {
                response.release();
                reset(client);
                return;
            }
            if (fault == Fault.RESET_AFTER_HEADERS || fault == Fault.RESET_MID_BODY) {
                HttpResponse head =
                        new DefaultHttpResponse(
                                response.protocolVersion(), response.status(), response.headers());
                client.write(head);
                if (fault == Fault.RESET_MID_BODY) {
                    ByteBuf body = response.content();
                    client.write(
                            new DefaultHttpContent(
                                    body.retainedSlice(
                                            body.readerIndex(), body.readableBytes() / 2)));
                }
                response.release();
                client.flush();
                client.eventLoop()
                        .schedule(
                                () -> reset(client),
                                RESET_AFTER_WRITE_MILLIS,
                                TimeUnit.MILLISECONDS);
                return;
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
            client.writeAndFlush(response)
                    .addListener(
                            f -> {
                                if (!f.isSuccess() || !keepAlive) {
                                    client.close();
                                } else {
                                    client.config().setAutoRead(true);
                                    client.read();
                                }
                            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release();
            if (backend != null) {
                backend.close();
                backend = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        /** Notes that a byte of the response came back: a close after it is no idle close. */
        private final class FirstByte extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (ctx.channel() == backend) {
                    responseStarted = true;
                }
                ctx.fireChannelRead(msg);
            }
        }

        private final class BackendHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                onBackendResponse(ctx.channel(), response);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                onBackendClosed(ctx.channel());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }
}
