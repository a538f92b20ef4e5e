package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.LustreRootFailureException;
import java.io.IOException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.client.JobExecutionException;
import org.junit.jupiter.api.Test;

/** What the console says, and the exit code, when a job fails. */
class AutoImportJobFailureTest {

    @Test
    void aLustreRootFailureIsNamedNotUnwrappedAndExits3() {
        LustreRootFailureException full =
                new LustreRootFailureException(
                        "The file system of Lustre root /lustre/data failed while applying"
                                + " import of 'a.txt': No space left on device. To do: free space"
                                + " on /lustre/data",
                        new IOException("No space left on device"));
        Exception failure =
                new JobExecutionException(
                        new JobID(), "Job execution failed.", new RuntimeException(full));

        assertThat(AutoImportJob.failureMessage(failure))
                .contains("/lustre/data")
                .contains("No space left on device")
                .contains("To do: free space");
        assertThat(AutoImportJob.exitCodeOf(failure)).isEqualTo(AutoImportJob.EXIT_PREREQUISITES);
    }

    @Test
    void anyOtherFailureGivesItsRootCauseAndExits1() {
        Exception failure =
                new JobExecutionException(
                        new JobID(),
                        "Job execution failed.",
                        new RuntimeException(new IllegalStateException("boom")));

        assertThat(AutoImportJob.failureMessage(failure)).isEqualTo("IllegalStateException: boom");
        assertThat(AutoImportJob.exitCodeOf(failure)).isEqualTo(AutoImportJob.EXIT_JOB_FAILED);
    }
}
