package dev.autoimport.connector.blob.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.BlobStorageConfig;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.junit.jupiter.api.Test;

class BlobListingSourceBuilderTest {

    private static final BlobStorageConfig CONFIG =
            BlobStorageConfig.ofSas("https://account.blob.core.windows.net", "sv=x", "data");

    @Test
    void buildsABoundedSourceFromTheStorageConfigAlone() {
        BlobListingSource source = BlobListingSource.builder().setStorageConfig(CONFIG).build();

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(source.toString())
                .contains("prefixes=['']", "pageSize=5000", "metricGroup=fullSync")
                .doesNotContain("sv=x");
    }

    @Test
    void asksForAStorageConfig() {
        assertThatThrownBy(() -> BlobListingSource.builder().build())
                .hasMessageContaining("setStorageConfig(BlobStorageConfig.ofConnectionString");
    }

    @Test
    void asksForAtLeastOnePrefix() {
        assertThatThrownBy(() -> builder().setPrefixes(List.of()).build())
                .hasMessageContaining("pass List.of(\"\")");
        assertThatThrownBy(() -> builder().setPrefixes(Arrays.asList("a/", null)).build())
                .hasMessageContaining("A prefix is null");
    }

    @Test
    void tellsHowToWriteAPrefixWithALeadingSlash() {
        assertThatThrownBy(() -> builder().setPrefixes(List.of("/data/")).build())
                .hasMessage(
                        "Prefix '/data/' starts with '/', but blob names do not: pass 'data/'.");
    }

    @Test
    void rejectsOverlappingPrefixesNamingThePrefixToKeep() {
        assertThatThrownBy(() -> builder().setPrefixes(List.of("data2", "data")).build())
                .hasMessageContaining("'data' and 'data2' overlap")
                .hasMessageContaining("Keep only 'data'");
        assertThatThrownBy(() -> builder().setPrefixes(List.of("x/", new String("x/"))).build())
                .hasMessageContaining("'x/' and 'x/' overlap");
        assertThatThrownBy(() -> builder().setPrefixes(List.of("", "a/")).build())
                .hasMessageContaining("'' and 'a/' overlap");
    }

    @Test
    void keepsThePageSizeWithinWhatTheServiceReturns() {
        assertThatThrownBy(() -> builder().setPageSize(0).build())
                .hasMessageContaining("Page size 0 is out of range")
                .hasMessageContaining("1 to 5000");
        assertThatThrownBy(() -> builder().setPageSize(5001).build())
                .hasMessageContaining("Page size 5001");
        assertThat(builder().setPageSize(1).build()).isNotNull();
    }

    @Test
    void asksForANonBlankMetricGroupName() {
        assertThatThrownBy(() -> builder().setMetricGroupName(" ").build())
                .hasMessageContaining("setMetricGroupName");
    }

    private static BlobListingSourceBuilder builder() {
        return BlobListingSource.builder().setStorageConfig(CONFIG);
    }
}
