package dev.autoimport.job.ops;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.StorageAccountInfo;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.LustreRoot;
import dev.autoimport.job.JobMode;
import dev.autoimport.job.JobSettings;
import java.net.URI;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What must hold before a job is submitted (SPEC section 7): the container and the logging
 * container exist and the credential may read them; for {@code mode=auto-import}, the account has a
 * change feed and no hierarchical namespace; the Lustre root is usable. Each problem is one line
 * that says what is wrong and what to do; a secret is never part of it.
 *
 * <p>The hierarchical-namespace check asks for the account's information. When that request fails
 * against a storage emulator (a loopback endpoint or the {@code devstoreaccount1} account), the
 * check is skipped with a note, since emulators have no hierarchical namespace; against a real
 * account the failure is a problem, never skipped silently.
 */
public final class PrerequisiteCheck {

    /** Tries per request: a missing permission should not wait through the job's retry policy. */
    private static final int MAX_TRIES = 2;

    private static final String CHANGE_FEED_CONTAINER = "$blobchangefeed";
    private static final String CHANGE_FEED_SEGMENTS = "meta/segments.json";

    private final JobSettings settings;
    private final BlobStorageConfig storage;

    public PrerequisiteCheck(JobSettings settings) {
        this.settings = settings;
        this.storage = settings.storage.withMaxTries(MAX_TRIES);
    }

    /**
     * Runs every check.
     *
     * @param notes receives informational lines (a check skipped, and why)
     * @return one line per problem; empty when the job may be submitted
     */
    public List<String> problems(Consumer<String> notes) {
        List<String> problems = new ArrayList<>();
        LustreRoot.findProblem(Paths.get(settings.lustreRoot))
                .ifPresent(p -> problems.add("lustre.root: " + p));
        BlobServiceClient service;
        try {
            service = storage.serviceClient();
        } catch (RuntimeException e) {
            problems.add(credentialProblem(e));
            return problems;
        }
        Optional<String> container =
                containerProblem(service, storage.container(), "storage.container", "to mirror");
        container.ifPresent(problems::add);
        if (container.isPresent() && !container.get().startsWith("storage.container")) {
            return problems; // every other request would be refused the same way
        }
        containerProblem(
                        service,
                        settings.loggingContainer,
                        "logging.container",
                        "for the error log, the reports and the root's lock")
                .ifPresent(problems::add);
        if (settings.mode == JobMode.AUTO_IMPORT) {
            changeFeedProblem(service).ifPresent(problems::add);
            hierarchicalNamespaceProblem(service, notes).ifPresent(problems::add);
        }
        return problems;
    }

    private Optional<String> containerProblem(
            BlobServiceClient service, String name, String setting, String purpose) {
        try {
            // A listing, not the container's properties: a container SAS may list but not read
            // properties, and the job needs to list anyway.
            service.getBlobContainerClient(name)
                    .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(1), null)
                    .iterableByPage()
                    .iterator()
                    .next();
            return Optional.empty();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.of(
                        setting
                                + ": container '"
                                + name
                                + "' does not exist at "
                                + storage.endpoint()
                                + "; create it "
                                + purpose
                                + ", or fix the name");
            }
            return Optional.of(refusal(e, "list container '" + name + "'"));
        } catch (RuntimeException e) {
            return Optional.of(credentialProblem(e));
        }
    }

    private Optional<String> changeFeedProblem(BlobServiceClient service) {
        try {
            boolean present =
                    service.getBlobContainerClient(CHANGE_FEED_CONTAINER)
                            .getBlobClient(CHANGE_FEED_SEGMENTS)
                            .exists();
            return present
                    ? Optional.empty()
                    : Optional.of(
                            "change feed: the account at "
                                    + storage.endpoint()
                                    + " has no change feed ("
                                    + CHANGE_FEED_CONTAINER
                                    + "/"
                                    + CHANGE_FEED_SEGMENTS
                                    + " not found); enable the blob change feed on the storage"
                                    + " account, or run the one-off import with --mode import");
        } catch (BlobStorageException e) {
            return Optional.of(refusal(e, "read the change feed (" + CHANGE_FEED_CONTAINER + ")"));
        } catch (RuntimeException e) {
            return Optional.of(credentialProblem(e));
        }
    }

    private Optional<String> hierarchicalNamespaceProblem(
            BlobServiceClient service, Consumer<String> notes) {
        StorageAccountInfo info;
        try {
            info = service.getAccountInfo();
        } catch (RuntimeException e) {
            String why =
                    e instanceof BlobStorageException
                            ? "HTTP "
                                    + ((BlobStorageException) e).getStatusCode()
                                    + " "
                                    + ((BlobStorageException) e).getErrorCode()
                            : Redaction.scrub(rootMessage(e));
            if (isEmulator(storage.endpoint())) {
                notes.accept(
                        "note: "
                                + storage.endpoint()
                                + " is a storage emulator that does not report account information ("
                                + why
                                + "); the hierarchical-namespace check is skipped");
                return Optional.empty();
            }
            return Optional.of(
                    "hierarchical namespace: cannot tell whether the account at "
                            + storage.endpoint()
                            + " has it ("
                            + why
                            + "); the credential must be allowed to get the account information");
        }
        Boolean hns = info.isHierarchicalNamespaceEnabled();
        if (hns == null) {
            if (isEmulator(storage.endpoint())) {
                notes.accept(
                        "note: the emulator at "
                                + storage.endpoint()
                                + " does not say whether it has a hierarchical namespace; check skipped");
                return Optional.empty();
            }
            return Optional.of(
                    "hierarchical namespace: the account at "
                            + storage.endpoint()
                            + " did not say whether it has a hierarchical namespace");
        }
        return hns
                ? Optional.of(
                        "hierarchical namespace: the account at "
                                + storage.endpoint()
                                + " has a hierarchical namespace (Data Lake Storage), which"
                                + " auto-import's change feed cannot follow; use an account without"
                                + " it, or --mode import")
                : Optional.empty();
    }

    private String refusal(BlobStorageException e, String what) {
        int status = e.getStatusCode();
        if (status == 401 || status == 403) {
            return "storage credential: "
                    + storage.endpoint()
                    + " refused the "
                    + credentialName()
                    + " to "
                    + what
                    + " (HTTP "
                    + status
                    + " "
                    + e.getErrorCode()
                    + "); "
                    + credentialAdvice();
        }
        return "storage: cannot "
                + what
                + " at "
                + storage.endpoint()
                + " (HTTP "
                + status
                + " "
                + e.getErrorCode()
                + ")";
    }

    private String credentialProblem(RuntimeException e) {
        if (e instanceof ClientAuthenticationException) {
            return "storage credential: the "
                    + credentialName()
                    + " cannot get a token: "
                    + Redaction.scrub(firstLine(e.getMessage()))
                    + "; "
                    + credentialAdvice();
        }
        if (e instanceof IllegalArgumentException) {
            return "storage credential: the "
                    + credentialName()
                    + " is not usable: "
                    + Redaction.scrub(firstLine(e.getMessage()));
        }
        return "storage.endpoint: cannot reach "
                + storage.endpoint()
                + ": "
                + Redaction.scrub(rootMessage(e));
    }

    private String credentialName() {
        switch (storage.credentialKind()) {
            case CONNECTION_STRING:
                return "connection string (storage.connection-string)";
            case SAS:
                return "shared access signature (storage.sas-token)";
            default:
                return "Azure default credential (managed or workload identity)";
        }
    }

    private String credentialAdvice() {
        switch (storage.credentialKind()) {
            case CONNECTION_STRING:
                return "check the account name and key of the connection string";
            case SAS:
                return "check the token's expiry and permissions (read and list on the container;"
                        + " read, add, create, write, delete and list on the logging container)";
            default:
                return "give the identity the role Storage Blob Data Reader on the container and"
                        + " Storage Blob Data Contributor on the logging container";
        }
    }

    static boolean isEmulator(String endpoint) {
        try {
            URI uri = URI.create(endpoint);
            String host = uri.getHost();
            return host != null
                            && (host.equals("localhost")
                                    || host.equals("127.0.0.1")
                                    || host.equals("[::1]")
                                    || host.equals("::1"))
                    || uri.getPath() != null && uri.getPath().startsWith("/devstoreaccount1");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return firstLine(
                m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
