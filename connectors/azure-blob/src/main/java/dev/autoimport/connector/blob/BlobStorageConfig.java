package dev.autoimport.connector.blob;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the blobs are and how to authenticate: everything a task needs to build its own clients.
 *
 * <p>Serializable so that it travels inside sources and operators; the secret it may hold is never
 * printed by {@link #toString()}, so it cannot leak through logs or the Flink web UI.
 */
public final class BlobStorageConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How the job authenticates to the storage account. */
    public enum CredentialKind {
        CONNECTION_STRING,
        SAS,
        DEFAULT_CHAIN
    }

    private final String endpoint;
    private final String container;
    private final CredentialKind credentialKind;
    private final String secret;
    private final int maxTries;

    /**
     * Tries of one request by the SDK's retry policy (the first included), unless {@link
     * #withMaxTries} says otherwise. With {@link #RETRY_DELAY} and {@link #MAX_RETRY_DELAY} the
     * retries come 0.5, 1.5, 3.5, 7.5 and 15 s after the try before (the storage SDK's exponential
     * policy: (2^(n-1) - 1) times the delay, capped), so one request rides out about 28 s of
     * throttling, 5xx answers or refused and reset connections before its failure reaches our code.
     */
    public static final int DEFAULT_MAX_TRIES = 6;

    /** The base of the SDK's exponential back-off between tries of one request. */
    public static final Duration RETRY_DELAY = Duration.ofMillis(500);

    /** The longest wait of the SDK between two tries of one request. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(15);

    /**
     * How long one try may take until its response headers arrive; a try that stalls longer is
     * abandoned and tried again. Reading a body is not bounded by it (a large download takes as
     * long as it takes); a connection that stops delivering one fails by the HTTP client's read
     * time-out.
     */
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(60);

    private BlobStorageConfig(
            String endpoint,
            String container,
            CredentialKind credentialKind,
            String secret,
            int maxTries) {
        this.endpoint = endpoint;
        this.container = Objects.requireNonNull(container, "container");
        this.credentialKind = credentialKind;
        this.secret = secret;
        this.maxTries = maxTries;
    }

    /** Authenticates with a connection string; the endpoint is the one the string names. */
    public static BlobStorageConfig ofConnectionString(String connectionString, String container) {
        return new BlobStorageConfig(
                blobEndpointOf(connectionString),
                container,
                CredentialKind.CONNECTION_STRING,
                connectionString,
                DEFAULT_MAX_TRIES);
    }

    /** Authenticates with a shared access signature (with or without the leading '?'). */
    public static BlobStorageConfig ofSas(String endpoint, String sasToken, String container) {
        String token = sasToken.startsWith("?") ? sasToken.substring(1) : sasToken;
        return new BlobStorageConfig(
                stripTrailingSlash(endpoint),
                container,
                CredentialKind.SAS,
                token,
                DEFAULT_MAX_TRIES);
    }

    /** Authenticates with the Azure default credential chain (managed or workload identity). */
    public static BlobStorageConfig ofDefaultCredential(String endpoint, String container) {
        return new BlobStorageConfig(
                stripTrailingSlash(endpoint),
                container,
                CredentialKind.DEFAULT_CHAIN,
                null,
                DEFAULT_MAX_TRIES);
    }

    /** The same account and credential, another container (the logging container, say). */
    public BlobStorageConfig withContainer(String otherContainer) {
        return new BlobStorageConfig(endpoint, otherContainer, credentialKind, secret, maxTries);
    }

    /** How often a request is tried before a transient failure counts (at least 1). */
    public BlobStorageConfig withMaxTries(int tries) {
        if (tries < 1) {
            throw new IllegalArgumentException("maxTries must be at least 1, was " + tries);
        }
        return new BlobStorageConfig(endpoint, container, credentialKind, secret, tries);
    }

    public String endpoint() {
        return endpoint;
    }

    public String container() {
        return container;
    }

    public CredentialKind credentialKind() {
        return credentialKind;
    }

    /**
     * A client whose every request is retried by the SDK on transient failures (see {@link
     * #DEFAULT_MAX_TRIES}; {@link TransientFaults} is the same judgement for what the SDK's policy
     * does not cover).
     */
    public BlobServiceClient serviceClient() {
        return clientBuilder().buildClient();
    }

    /**
     * The non-blocking client, for callers that must learn a download's answer (its headers) before
     * they read its content.
     */
    public BlobContainerAsyncClient containerAsyncClient() {
        return clientBuilder().buildAsyncClient().getBlobContainerAsyncClient(container);
    }

    private BlobServiceClientBuilder clientBuilder() {
        BlobServiceClientBuilder builder =
                new BlobServiceClientBuilder()
                        .retryOptions(
                                new RequestRetryOptions(
                                        RetryPolicyType.EXPONENTIAL,
                                        maxTries,
                                        TRY_TIMEOUT,
                                        RETRY_DELAY,
                                        MAX_RETRY_DELAY,
                                        null));
        switch (credentialKind) {
            case CONNECTION_STRING:
                builder.connectionString(secret);
                break;
            case SAS:
                builder.endpoint(endpoint).sasToken(secret);
                break;
            case DEFAULT_CHAIN:
                builder.endpoint(endpoint).credential(new DefaultAzureCredentialBuilder().build());
                break;
            default:
                throw new IllegalStateException("unknown credential kind " + credentialKind);
        }
        return builder;
    }

    public BlobContainerClient containerClient() {
        return serviceClient().getBlobContainerClient(container);
    }

    static String blobEndpointOf(String connectionString) {
        String accountName = null;
        String protocol = "https";
        String suffix = "core.windows.net";
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equalsIgnoreCase("BlobEndpoint")) {
                return stripTrailingSlash(value);
            } else if (key.equalsIgnoreCase("AccountName")) {
                accountName = value;
            } else if (key.equalsIgnoreCase("DefaultEndpointsProtocol")) {
                protocol = value;
            } else if (key.equalsIgnoreCase("EndpointSuffix")) {
                suffix = value;
            }
        }
        if (accountName == null) {
            throw new IllegalArgumentException(
                    "the connection string names neither BlobEndpoint nor AccountName");
        }
        return protocol + "://" + accountName + ".blob." + suffix;
    }

    private static String stripTrailingSlash(String s) {
        Objects.requireNonNull(s, "endpoint");
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "BlobStorageConfig{endpoint="
                + endpoint
                + ", container="
                + container
                + ", credential="
                + credentialKind
                + (secret == null ? "" : " (secret redacted)")
                + "}";
    }
}
