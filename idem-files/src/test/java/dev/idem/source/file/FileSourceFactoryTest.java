package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Connectors;
import dev.idem.connector.Secrets;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The csv and jsonl factories: found with ServiceLoader, and each owning its section's keys and
 * messages.
 */
class FileSourceFactoryTest {
  private static final Schema COLUMNS = new Schema(List.of(Column.of("id", DataType.INTEGER)));

  @TempDir Path dir;

  private ConnectorContext context() {
    return new ConnectorContext(dir, "orders", name -> null, new Secrets());
  }

  private static ConfigNode.Mapping section(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return ConfigNode.Mapping.of("p.yaml", m);
  }

  @Test
  void bothAreDiscovered() {
    Connectors connectors = Connectors.discover(getClass().getClassLoader());
    assertThat(connectors.sourceTypes()).containsSubsequence("csv", "jsonl");
    assertThat(connectors.source("csv")).get().isInstanceOf(CsvSourceFactory.class);
    assertThat(connectors.source("jsonl").orElseThrow().stream()).isFalse();
  }

  @Test
  void aCsvSectionBindsItsFormatAndARelativePathAgainstThePipelinesDirectory() {
    Source s =
        new CsvSourceFactory()
            .bind(
                section(
                    "type",
                    "csv",
                    "path",
                    "data/*.csv",
                    "delimiter",
                    ";",
                    "header",
                    false,
                    "null",
                    "NULL",
                    "encoding",
                    "ISO-8859-1"),
                COLUMNS,
                context());
    assertThat(((CsvSource) s).format())
        .isEqualTo(new CsvFormat(';', '"', false, "NULL", Charset.forName("ISO-8859-1")));
    assertThat(s.describe()).contains("data/*.csv");
    // an absolute path is split at its first glob: the base directory stays out of the description
    // (and the definition hash)
    assertThat(
            new CsvSourceFactory()
                .bind(section("type", "csv", "path", "/abs/in/*.csv"), COLUMNS, context())
                .describe())
        .contains("*.csv")
        .doesNotContain("/abs");
  }

  @Test
  void aJsonLinesSectionRefusesCsvKeys() {
    Source s =
        new JsonLinesSourceFactory()
            .bind(section("type", "jsonl", "path", "e/*.jsonl"), COLUMNS, context());
    assertThat(s.describe()).contains(StandardCharsets.UTF_8.name());
    ConfigProblem p =
        catchThrowableOfType(
            ConfigProblem.class,
            () ->
                new JsonLinesSourceFactory()
                    .bind(
                        section("type", "jsonl", "path", "e/*.jsonl", "quote", "'"),
                        COLUMNS,
                        context()));
    assertThat(p.getMessage())
        .isEqualTo("p.yaml: source.quote: only csv sources have 'quote', this source is jsonl");
  }

  @Test
  void problemsNameTheKeyAndWhatWasExpected() {
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new CsvSourceFactory()
                            .bind(
                                section("type", "csv", "path", "x.csv", "delimter", ";"),
                                COLUMNS,
                                context()))
                .detail())
        .isEqualTo(
            "unknown key 'delimter' in source: expected one of type, path, delimiter, quote, header, null, encoding"
                + " (did you mean 'delimiter'?)");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new CsvSourceFactory()
                            .bind(
                                section("type", "csv", "path", "x.csv", "header", "maybe"),
                                COLUMNS,
                                context()))
                .detail())
        .isEqualTo("source.header: expected true or false, got a string 'maybe'");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () ->
                        new CsvSourceFactory()
                            .bind(
                                section("type", "csv", "path", "x.csv", "encoding", "klingon"),
                                COLUMNS,
                                context()))
                .detail())
        .isEqualTo(
            "source.encoding: unknown encoding 'klingon': expected e.g. UTF-8 or ISO-8859-1");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () -> new CsvSourceFactory().bind(section("type", "csv"), COLUMNS, context()))
                .detail())
        .isEqualTo("source: missing required key 'path'");
  }
}
