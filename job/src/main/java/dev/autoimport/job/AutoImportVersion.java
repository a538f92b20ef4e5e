package dev.autoimport.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build, from the {@value #RESOURCE} resource the build writes. */
public final class AutoImportVersion {

    /** The resource on the class path; a different build of the job jar has its own. */
    public static final String RESOURCE = "auto-import-version.properties";

    /** The key under which the version appears in the job's configuration (the web UI shows it). */
    public static final String JOB_PARAMETER = "auto-import.version";

    private AutoImportVersion() {}

    /** This build's version, or {@code unknown} when the classes run without their resource. */
    public static String current() {
        try (InputStream in =
                AutoImportVersion.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
