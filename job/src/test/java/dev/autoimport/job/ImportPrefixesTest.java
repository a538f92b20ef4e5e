package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ImportPrefixesTest {

    @Test
    void leadingSlashIsOptionalAndSlashMeansEverything() {
        assertThat(ImportPrefixes.parse(List.of("/")).asList()).containsExactly("");
        assertThat(ImportPrefixes.parse(List.of("/data/", "logs/")).asList())
                .containsExactly("data/", "logs/");
        assertThat(ImportPrefixes.parse(Collections.emptyList()).asList()).containsExactly("");
    }

    @Test
    void aPrefixOfAnotherIsRejected() {
        assertThatThrownBy(() -> ImportPrefixes.parse(List.of("/data", "/data2")))
                .hasMessageContaining("'/data' is a string prefix of '/data2'");
        assertThatThrownBy(() -> ImportPrefixes.parse(List.of("/", "/x")))
                .hasMessageContaining("string prefix");
    }

    @Test
    void duplicatesAndTooManyAreRejected() {
        assertThatThrownBy(() -> ImportPrefixes.parse(List.of("a/", "/a/")))
                .hasMessageContaining("given twice");
        List<String> many = IntStream.range(0, 101).mapToObj(i -> "p" + i + "/").toList();
        assertThatThrownBy(() -> ImportPrefixes.parse(many)).hasMessageContaining("at most 100");
        assertThat(ImportPrefixes.parse(many.subList(0, 100)).asList()).hasSize(100);
    }

    @Test
    void matching() {
        ImportPrefixes p = ImportPrefixes.parse(List.of("/data/", "/logs/"));
        assertThat(p.matches("data/x")).isTrue();
        assertThat(p.matches("database/x")).isFalse();
    }
}
