package dev.autoimport.job;

import dev.autoimport.connector.lustre.NamespaceInspector;
import java.io.Serializable;

/**
 * What an import falls back to when metadata says nothing, and what it is allowed to set: decided
 * once per task from the job's own user, so that the attributes an import records are the ones the
 * file really gets.
 */
public final class EntryDefaults implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int FILE_MODE = 0644;
    public static final int DIRECTORY_MODE = 0755;
    public static final int SYMLINK_MODE = 0777;

    public final int uid;
    public final int gid;

    /** Only root may give files away; any other user's files stay its own. */
    public final boolean canChown;

    public final boolean allowSetuid;

    public EntryDefaults(int uid, int gid, boolean canChown, boolean allowSetuid) {
        this.uid = uid;
        this.gid = gid;
        this.canChown = canChown;
        this.allowSetuid = allowSetuid;
    }

    /** The defaults of the user this JVM runs as. */
    public static EntryDefaults ofCurrentUser(boolean allowSetuid) {
        int uid = NamespaceInspector.currentUid();
        return new EntryDefaults(uid, NamespaceInspector.currentGid(), uid == 0, allowSetuid);
    }
}
