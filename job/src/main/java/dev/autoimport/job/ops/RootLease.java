package dev.autoimport.job.ops;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.LeaseStateType;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.TransientFaults;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One job per Lustre root: a lease on the lock blob {@link LoggingContainerLayout#lockBlob} in the
 * logging container, with the holder (job name, job id, host, since when) as the blob's metadata.
 *
 * <p>The lease id is generated once, when the job is submitted, and travels in the job graph: the
 * submission ({@code main}) takes the lease first, so that a second job on the same root is refused
 * before it is submitted; the running job then takes it again with the same id (which the service
 * grants to the id that holds it, or to anyone once it expired), renews it every {@link
 * #RENEW_INTERVAL} and releases it when its sink closes. A job that dies stops renewing and its
 * lease expires after {@link #DURATION}; a restart of the same job takes its own lease back at
 * once.
 *
 * <p>Taking, renewing and reading the lease are retried on transient failures ({@link
 * TransientFaults#call}, on top of the SDK's own retries of each request), and a renewal starts
 * every {@link #RENEW_INTERVAL} of a {@link #DURATION} lease, so a passing fault of the service
 * never costs the job its root.
 *
 * <p>Serializable, without any secret in {@link #toString()}.
 */
public final class RootLease implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How long a lease lasts without renewal (the service allows 15 to 60 seconds). */
    public static final Duration DURATION = Duration.ofSeconds(60);

    public static final Duration RENEW_INTERVAL = Duration.ofSeconds(15);

    static final String JOB_NAME = "jobname";
    static final String JOB_ID = "jobid";
    static final String HOST = "host";
    static final String SINCE = "since";
    static final String ROOT = "lustreroot";

    private final BlobStorageConfig logging;
    private final String lustreRoot;
    private final String blobName;
    private final String leaseId;
    private final String jobName;
    private final long submittedAtMillis;

    private RootLease(
            BlobStorageConfig logging,
            String lustreRoot,
            String leaseId,
            String jobName,
            long submittedAtMillis) {
        this.logging = logging;
        this.lustreRoot = lustreRoot;
        this.blobName = LoggingContainerLayout.lockBlob(lustreRoot);
        this.leaseId = leaseId;
        this.jobName = jobName;
        this.submittedAtMillis = submittedAtMillis;
    }

    /**
     * A lease for a job about to be submitted, with a new lease id. The root is identified by its
     * real path, so two spellings of one directory share one lock.
     */
    public static RootLease forNewJob(
            BlobStorageConfig logging, String lustreRoot, String jobName) {
        return new RootLease(
                logging,
                realPath(lustreRoot),
                UUID.randomUUID().toString(),
                jobName,
                System.currentTimeMillis());
    }

    public String lustreRoot() {
        return lustreRoot;
    }

    public String blobName() {
        return blobName;
    }

    public String leaseId() {
        return leaseId;
    }

    /** Where the lock is, for messages. */
    public String location() {
        return "container '" + logging.container() + "', blob '" + blobName + "'";
    }

    /**
     * Takes the lease (or takes it back: same id) and records the holder.
     *
     * @param jobId the Flink job id, or null before submission
     * @throws RootLockedException when another job holds the lease
     */
    public void acquire(String jobId) {
        BlobContainerClient container = logging.containerClient();
        BlobClient blob = container.getBlobClient(blobName);
        TransientFaults.run(
                "creating the Lustre root's lock (" + location() + ")",
                () -> createIfMissing(blob));
        try {
            // Idempotent: the service grants the lease again to the id that holds it.
            TransientFaults.run(
                    "taking the Lustre root's lock (" + location() + ")",
                    () -> leaseClient(blob).acquireLease((int) DURATION.getSeconds()));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 409) {
                throw new RootLockedException(
                        lockedMessage(
                                TransientFaults.call(
                                        "reading the Lustre root's lock (" + location() + ")",
                                        () -> readHolder(blob))));
            }
            throw e;
        }
        Map<String, String> holder = new HashMap<>();
        holder.put(JOB_NAME, encode(jobName));
        holder.put(HOST, encode(hostName()));
        holder.put(SINCE, Instant.ofEpochMilli(submittedAtMillis).toString());
        holder.put(ROOT, encode(lustreRoot));
        if (jobId != null) {
            holder.put(JOB_ID, jobId);
        }
        TransientFaults.run(
                "recording the holder of the Lustre root's lock (" + location() + ")",
                () ->
                        blob.setMetadataWithResponse(
                                holder,
                                new BlobRequestConditions().setLeaseId(leaseId),
                                null,
                                Context.NONE));
    }

    /**
     * Renews the lease; takes it back if it expired and nobody took it meanwhile.
     *
     * @param jobId the Flink job id, recorded again if the lease must be taken back
     * @throws RootLockedException when another job took the lease
     */
    public void renew(String jobId) {
        BlobClient blob = logging.containerClient().getBlobClient(blobName);
        try {
            TransientFaults.run(
                    "renewing the Lustre root's lock (" + location() + ")",
                    () -> leaseClient(blob).renewLease());
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 409 || e.getStatusCode() == 404) {
                // Lost (expired and taken, or the blob was removed): try to take it back.
                acquire(jobId);
                return;
            }
            throw e;
        }
    }

    /** Releases the lease if this job still holds it; never throws. */
    public void release() {
        try {
            BlobClient blob = logging.containerClient().getBlobClient(blobName);
            leaseClient(blob).releaseLease();
        } catch (RuntimeException notHeldOrUnreachable) {
            // Expires by itself.
        }
    }

    /** The current holder, if the lock blob is leased. */
    public Optional<Holder> holder() {
        return TransientFaults.call(
                "reading the Lustre root's lock (" + location() + ")",
                () -> readHolder(logging.containerClient().getBlobClient(blobName)));
    }

    private BlobLeaseClient leaseClient(BlobClient blob) {
        return new BlobLeaseClientBuilder().blobClient(blob).leaseId(leaseId).buildClient();
    }

    private static void createIfMissing(BlobClient blob) {
        try {
            blob.getBlockBlobClient()
                    .uploadWithResponse(
                            new BlockBlobSimpleUploadOptions(
                                            new ByteArrayInputStream(new byte[0]), 0)
                                    .setRequestConditions(
                                            new BlobRequestConditions().setIfNoneMatch("*")),
                            null,
                            Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 409 && e.getStatusCode() != 412) {
                throw e;
            }
        }
    }

    private static Optional<Holder> readHolder(BlobClient blob) {
        BlobProperties p;
        try {
            p = blob.getProperties();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (p.getLeaseState() != LeaseStateType.LEASED) {
            return Optional.empty();
        }
        Map<String, String> m = p.getMetadata();
        return Optional.of(
                new Holder(
                        decode(m.get(JOB_NAME)), m.get(JOB_ID), decode(m.get(HOST)), m.get(SINCE)));
    }

    private String lockedMessage(Optional<Holder> holder) {
        String who =
                holder.map(Holder::toString)
                        .orElse("another job (its holder is not recorded on the lock yet)");
        return "lustre.root "
                + lustreRoot
                + " is in use by "
                + who
                + ": one job per Lustre root. Stop that job first; a job that died releases the root"
                + " by itself within "
                + DURATION.getSeconds()
                + " s (lock: "
                + location()
                + ")";
    }

    static String realPath(String root) {
        Path p = Paths.get(root);
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown host";
        }
    }

    /** Metadata values must be ASCII: names and paths are percent-encoded. */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return s == null ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RootLease{root=" + lustreRoot + ", " + location() + "}";
    }

    /** Who holds a root: as written on the lock blob. */
    public static final class Holder {
        public final String jobName;
        public final String jobId;
        public final String host;
        public final String since;

        Holder(String jobName, String jobId, String host, String since) {
            this.jobName = jobName;
            this.jobId = jobId;
            this.host = host;
            this.since = since;
        }

        @Override
        public String toString() {
            return "job '"
                    + (jobName == null ? "?" : jobName)
                    + "'"
                    + (jobId == null ? "" : " (job id " + jobId + ")")
                    + " on host "
                    + (host == null ? "?" : host)
                    + " since "
                    + (since == null ? "?" : since);
        }
    }
}
