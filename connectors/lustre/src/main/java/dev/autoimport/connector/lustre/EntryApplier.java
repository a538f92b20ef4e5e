package dev.autoimport.connector.lustre;

import java.io.IOException;

/** Carries a concrete action out on the tree: {@link ActionApplier}, or nothing in a dry run. */
interface EntryApplier {

    /** Changes nothing: a dry run decides every action and reports it as if carried out. */
    EntryApplier DRY_RUN = (action, download) -> {};

    /**
     * @param download the blob's download already under way (its answer told the version), or null
     *     to start one for the action's etag when content is needed
     */
    void apply(LustreAction action, ContentSource.Download download) throws IOException;

    default void apply(LustreAction action) throws IOException {
        apply(action, null);
    }
}
