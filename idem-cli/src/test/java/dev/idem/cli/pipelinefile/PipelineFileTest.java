package dev.idem.cli.pipelinefile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.connector.Secrets;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import dev.idem.jdbc.source.JdbcSource;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.JsonLinesSource;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineFileTest {
  private static final String MINIMAL =
      """
      pipeline: orders
      source:
        type: csv
        path: data/*.csv
      columns:
        order_id: integer
        ingested_at: timestamp
      target:
        table: orders
        key: [order_id]
        strategy: merge
      """;

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  private PipelineDefinition load(String yaml, Map<String, String> env, String... sets)
      throws IOException {
    return PipelineFile.load(write(yaml), List.of(sets), env::get, new Secrets());
  }

  /** The JDBC destination a definition names. */
  private static JdbcDestinationBinding jdbc(PipelineDefinition d) {
    return (JdbcDestinationBinding) d.destination();
  }

  private PipelineDefinition load(String yaml, String... sets) throws IOException {
    return load(yaml, Map.of(), sets);
  }

  /** The one-line message of loading this file. */
  private String error(String yaml, Map<String, String> env, String... sets) throws IOException {
    Path file = write(yaml);
    Throwable t =
        Assertions.catchThrowable(
            () -> PipelineFile.load(file, List.of(sets), env::get, new Secrets()));
    assertThat(t).isInstanceOf(PipelineFileException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage();
  }

  private String error(String yaml, String... sets) throws IOException {
    return error(yaml, Map.of(), sets);
  }

  private String file() {
    return dir.resolve("pipeline.yaml").toString();
  }

  @Test
  void bindsEveryFieldOfACsvPipeline() throws IOException {
    PipelineDefinition d =
        load(
            """
        pipeline: orders
        version: 1.10
        source:
          type: csv
          path: data/orders-*.csv
          delimiter: ";"
          quote: "'"
          header: false
          null: NULL
          encoding: ISO-8859-1
        columns:
          order_id: integer not null
          amount: decimal(12,2)
          is_deleted: boolean
          ingested_at: timestamp
        windows:
          kind: day
          column: ingested_at
          zone: Europe/Paris
        target:
          table: orders
          key: [order_id]
          strategy: merge
          order_by: ingested_at
          delete_flag: is_deleted
        destination:
          url: jdbc:duckdb:out/orders.duckdb
          user: loader
          password: ${env:PW}
        """,
            Map.of("PW", "s3cret-value"));
    Pipeline p = d.pipeline();
    assertThat(p.name()).isEqualTo("orders");
    assertThat(p.version()).isEqualTo("1.10");
    assertThat(p.source()).isInstanceOf(CsvSource.class);
    CsvFormat format = ((CsvSource) p.source()).format();
    assertThat(format)
        .isEqualTo(new CsvFormat(';', '\'', false, "NULL", Charset.forName("ISO-8859-1")));
    assertThat(p.source().describe()).contains("data/orders-*.csv");
    assertThat(p.source().schema().columns())
        .containsExactly(
            new Column("order_id", DataType.INTEGER, false),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("is_deleted", DataType.BOOLEAN),
            Column.of("ingested_at", DataType.TIMESTAMP));
    assertThat(p.windows().kind()).isEqualTo(WindowKind.DAY);
    assertThat(p.windows().column()).isEqualTo("ingested_at");
    assertThat(p.windows().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(p.transformSql()).isNull();
    assertThat(p.target().table()).isEqualTo("orders");
    assertThat(p.target().key()).isEqualTo(KeySpec.columns("order_id"));
    assertThat(p.target().strategy()).isEqualTo(WriteStrategy.MERGE);
    assertThat(p.target().orderBy()).containsExactly("ingested_at");
    assertThat(p.target().deletes()).isEqualTo(DeleteRule.flag("is_deleted"));
    assertThat(p.target().columns()).isEqualTo(p.source().schema());
    assertThat(jdbc(d).url())
        .isEqualTo("jdbc:duckdb:" + dir.toAbsolutePath().resolve("out/orders.duckdb"));
    assertThat(jdbc(d).properties())
        .containsEntry("user", "loader")
        .containsEntry("password", "s3cret-value");
    assertThat(d.destination().toString()).doesNotContain("s3cret-value");
  }

  @Test
  void bindsAJsonLinesPipelineWithATransformAndAHashKey() throws IOException {
    PipelineDefinition d =
        load(
            """
        pipeline: events
        version: 3
        source: {type: jsonl, path: /abs/events/*.jsonl, encoding: UTF-8}
        columns:
          user: string
          kind: string
          at: timestamptz
        windows: {kind: hour, column: at}
        transform:
          sql: SELECT user, count(*) AS n FROM staged GROUP BY 1
        target:
          table: per_user
          columns:
            user: string
            n: integer
          key: {hash: [user, kind]}
          strategy: replace_window
        destination:
          url: jdbc:postgresql://db:5432/dw
        """);
    Pipeline p = d.pipeline();
    assertThat(p.version()).isEqualTo("3");
    assertThat(p.source()).isInstanceOf(JsonLinesSource.class);
    assertThat(p.source().describe()).contains("*.jsonl").contains("UTF-8");
    assertThat(p.windows().kind()).isEqualTo(WindowKind.HOUR);
    assertThat(p.windows().zone()).isEqualTo(ZoneOffset.UTC);
    assertThat(p.transformSql()).isEqualTo("SELECT user, count(*) AS n FROM staged GROUP BY 1");
    assertThat(p.target().columns().names()).containsExactly("user", "n");
    assertThat(p.target().key()).isEqualTo(KeySpec.hash("user", "kind"));
    assertThat(p.target().strategy()).isEqualTo(WriteStrategy.REPLACE_WINDOW);
    assertThat(jdbc(d).url()).isEqualTo("jdbc:postgresql://db:5432/dw");
  }

  @Test
  void defaultsToFullWindowsAndADuckDbFileNextToThePipeline() throws IOException {
    PipelineDefinition d = load(MINIMAL);
    assertThat(d.pipeline().version()).isEqualTo("1");
    assertThat(d.pipeline().windows().kind()).isEqualTo(WindowKind.FULL);
    assertThat(((CsvSource) d.pipeline().source()).format()).isEqualTo(CsvFormat.DEFAULT);
    assertThat(jdbc(d).url())
        .isEqualTo("jdbc:duckdb:" + dir.toAbsolutePath().resolve("orders.duckdb"));
    assertThat(jdbc(d).properties()).isEmpty();
  }

  @Test
  void otherWindowKindsAndASingleKeyColumn() throws IOException {
    for (String kind : List.of("full", "batch", "file")) {
      PipelineDefinition d =
          load(
              MINIMAL.replace("key: [order_id]", "key: order_id")
                  + "windows: {kind: "
                  + kind
                  + "}\n");
      assertThat(d.pipeline().windows().kind().name()).isEqualToIgnoringCase(kind);
      assertThat(d.pipeline().target().key()).isEqualTo(KeySpec.columns("order_id"));
    }
  }

  @Test
  void setOverridesFieldsBeforeBinding() throws IOException {
    PipelineDefinition d =
        load(
            MINIMAL + "windows: {kind: day, column: ingested_at, zone: Europe/Paris}\n",
            "target.table=orders_v2",
            "windows.zone=UTC",
            "source.path=other/*.csv",
            "target.key=[order_id, ingested_at]",
            "version=7",
            "destination.url=jdbc:duckdb:x.duckdb");
    Pipeline p = d.pipeline();
    assertThat(p.target().table()).isEqualTo("orders_v2");
    assertThat(p.windows().zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(p.source().describe()).contains("other/*.csv");
    assertThat(p.target().key()).isEqualTo(KeySpec.columns("order_id", "ingested_at"));
    assertThat(p.version()).isEqualTo("7");
    assertThat(jdbc(d).url()).isEqualTo("jdbc:duckdb:" + dir.toAbsolutePath().resolve("x.duckdb"));
    // A glob that is not valid YAML (an alias) is taken as text.
    assertThat(load(MINIMAL, "source.path=*.csv").pipeline().source().describe()).contains("*.csv");
  }

  @Test
  void anUnknownSetPathIsAConfigError() throws IOException {
    assertThat(error(MINIMAL, "target.tabel=x"))
        .isEqualTo(
            "--set target.tabel: unknown key 'tabel' in target: expected one of table, columns, key, strategy, order_by, delete_flag, deletes, tombstone_retention (did you mean 'table'?)");
    assertThat(error(MINIMAL, "nosuch=1"))
        .startsWith("--set nosuch: unknown key 'nosuch' at the top level");
    assertThat(error(MINIMAL, "target.table.x=1"))
        .isEqualTo("--set target.table.x: 'target.table' is a single value, it has no key 'x'");
    assertThat(error(MINIMAL, "target.table")).isEqualTo("--set target.table: expected PATH=VALUE");
    assertThat(error(MINIMAL, "target.strategy"))
        .isEqualTo("--set target.strategy: expected PATH=VALUE");
    assertThat(error(MINIMAL, "=merge")).isEqualTo("--set: expected PATH=VALUE");
    assertThat(error(MINIMAL, "target.strategy=mrege"))
        .isEqualTo(
            "--set target.strategy: unknown strategy 'mrege': expected append, merge, replace_window or replace_table");
  }

  @Test
  void aYamlSyntaxErrorNamesTheLine() throws IOException {
    assertThat(error("pipeline: orders\nsource:\n  type: csv\n  path: [data\ncolumns: {}\n"))
        .startsWith(file() + ":5: YAML syntax error: ");
  }

  @Test
  void anUnknownKeyNamesItsLineAndTheExpectedKeys() throws IOException {
    assertThat(error(MINIMAL.replace("  strategy: merge", "  strtegy: merge")))
        .isEqualTo(
            file()
                + ":11: unknown key 'strtegy' in target: expected one of table, columns, key, strategy, order_by, delete_flag, deletes, tombstone_retention (did you mean 'strategy'?)");
    assertThat(error(MINIMAL + "colums: {}\n"))
        .startsWith(
            file()
                + ":12: unknown key 'colums' at the top level: expected one of pipeline, version,");
  }

  @Test
  void anUnknownStrategyNamesItsLine() throws IOException {
    assertThat(error(MINIMAL.replace("strategy: merge", "strategy: mrege")))
        .isEqualTo(
            file()
                + ":11: target.strategy: unknown strategy 'mrege': expected append, merge, replace_window or replace_table");
  }

  @Test
  void aWrongTypeNamesItsLineAndWhatWasExpected() throws IOException {
    assertThat(error(MINIMAL.replace("  path: data/*.csv", "  path: data/*.csv\n  header: maybe")))
        .isEqualTo(file() + ":5: source.header: expected true or false, got a string 'maybe'");
    assertThat(error(MINIMAL.replace("  ingested_at: timestamp", "  ingested_at: timestmp")))
        .startsWith(
            file()
                + ":7: columns.ingested_at: unknown type 'timestmp': expected one of string, integer");
    assertThat(error(MINIMAL.replace("  table: orders", "  table: [a, b]")))
        .isEqualTo(file() + ":9: target.table: expected a single value, got a list");
    assertThat(error(MINIMAL.replace("  delimiter", "x") + "windows: {kind: weekly}\n"))
        .isEqualTo(
            file()
                + ":12: windows.kind: unknown window kind 'weekly': expected day, hour, full, batch, file or offsets");
    assertThat(error(MINIMAL + "windows: {kind: day, column: ingested_at, zone: Mars/Olympus}\n"))
        .startsWith(file() + ":12: windows.zone: unknown time zone 'Mars/Olympus'");
  }

  @Test
  void anUnknownWindowKindIsReportedBeforeItsColumnOrZone() throws IOException {
    assertThat(error(MINIMAL + "windows: {kind: week, column: ingested_at}\n"))
        .isEqualTo(
            file()
                + ":12: windows.kind: unknown window kind 'week': expected day, hour, full, batch, file or offsets");
    assertThat(error(MINIMAL + "windows: {kind: week, column: nope, zone: Mars/Olympus}\n"))
        .isEqualTo(
            file()
                + ":12: windows.kind: unknown window kind 'week': expected day, hour, full, batch, file or offsets");
    assertThat(error(MINIMAL + "windows: {kind: full, column: ingested_at}\n"))
        .isEqualTo(
            file()
                + ":12: windows: full windows have no column or zone: only day and hour windows do");
  }

  @Test
  void aMissingRequiredKeyNamesTheSection() throws IOException {
    assertThat(error(MINIMAL.replace("  table: orders\n", "")))
        .isEqualTo(file() + ":9: target: missing required key 'table'");
    assertThat(error(MINIMAL.replace("pipeline: orders\n", "")))
        .isEqualTo(file() + ":1: missing required key 'pipeline' at the top level");
    assertThat(error(MINIMAL.replace("  type: csv\n", "")))
        .isEqualTo(file() + ":3: source: missing required key 'type'");
  }

  @Test
  void orderByTakesAListComparedInDeclaredOrderAndNamesTheLineOfAnUndeclaredColumn()
      throws IOException {
    String two =
        MINIMAL.replace("strategy: merge", "strategy: merge\n  order_by: [ingested_at, order_id]");
    assertThat(load(two).pipeline().target().orderBy()).containsExactly("ingested_at", "order_id");
    assertThat(
            error(
                MINIMAL.replace(
                    "strategy: merge",
                    "strategy: merge\n  order_by:\n    - ingested_at\n    - seq")))
        .isEqualTo(
            file()
                + ":14: target.order_by: order_by column 'seq' is not a declared column: expected one of [order_id, ingested_at]");
  }

  @Test
  void coreValidationErrorsPointAtTheKeyTheyAreAbout() throws IOException {
    assertThat(error(MINIMAL.replace("strategy: merge", "strategy: merge\n  order_by: nope")))
        .isEqualTo(
            file()
                + ":12: target.order_by: order_by column 'nope' is not a declared column: expected one of [order_id, ingested_at]");
    assertThat(error(MINIMAL.replace("  key: [order_id]\n", "")))
        .startsWith(file() + ":9: target: strategy merge needs a key");
    assertThat(error(MINIMAL + "windows: {kind: day, column: order_id}\n"))
        .startsWith(file() + ":12: windows.column: window column 'order_id' is integer");
    assertThat(error(MINIMAL.replace("pipeline: orders", "pipeline: 'bad name!'")))
        .startsWith(file() + ":1: pipeline: pipeline name 'bad name!' is not valid");
    assertThat(error(MINIMAL + "transform: {sql: SELECT 1 FROM staged}\n"))
        .startsWith(file() + ":9: target.columns: required because there is a transform");
  }

  @Test
  void duplicateKeysAndEmptyFilesAreErrors() throws IOException {
    assertThat(error(MINIMAL + "pipeline: again\n"))
        .isEqualTo(file() + ":12: duplicate key 'pipeline' (first at " + file() + ":1)");
    assertThat(error(""))
        .isEqualTo(
            file()
                + ":1: the file is empty: expected a mapping with pipeline, source, columns and target");
    assertThat(error("- a\n- b\n"))
        .startsWith(
            file()
                + ":1: expected a mapping with pipeline, source, columns and target, got a list");
  }

  @Test
  void anUnsetEnvironmentVariableNamesTheVariableAndTheLine() throws IOException {
    assertThat(
            error(
                MINIMAL
                    + "destination:\n  url: jdbc:duckdb:x.duckdb\n  password: ${env:PGPASSWORD}\n"))
        .isEqualTo(
            file() + ":14: destination.password: environment variable PGPASSWORD is not set");
  }

  @Test
  void valuesFromTheEnvironmentNeverAppearInErrors() throws IOException {
    Map<String, String> env =
        Map.of("STRAT", "topsecret-strategy", "ZONE", "topsecret-zone", "URL", "topsecret-url");
    assertThat(error(MINIMAL.replace("strategy: merge", "strategy: ${env:STRAT}"), env))
        .isEqualTo(
            file()
                + ":11: target.strategy: unknown strategy '${env:STRAT}': expected append, merge, replace_window or replace_table");
    assertThat(
            error(
                MINIMAL + "windows: {kind: day, column: ingested_at, zone: '${env:ZONE}'}\n", env))
        .doesNotContain("topsecret")
        .contains("${env:ZONE}");
    assertThat(error(MINIMAL + "destination: {url: '${env:URL}'}\n", env))
        .doesNotContain("topsecret")
        .contains("${env:URL}");
  }

  private static final String JDBC =
      """
      pipeline: events
      source:
        type: jdbc
        url: jdbc:duckdb:%s
        query: SELECT id, updated_at FROM events WHERE updated_at >= :window_start AND updated_at < :window_end
      columns:
        id: integer not null
        updated_at: timestamp not null
      windows: {kind: day, column: updated_at}
      target:
        table: events
        key: [id]
        strategy: merge
      """;

  private String jdbc(String extraSourceLines) {
    String db = dir.resolve("src.duckdb").toAbsolutePath().toString();
    return JDBC.formatted(db).replace("  query: ", extraSourceLines + "  query: ");
  }

  @Test
  void bindsAJdbcSourceThatReadsOneWindowPerQuery() throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:duckdb:" + dir.resolve("src.duckdb").toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE events (id BIGINT, updated_at TIMESTAMP)");
      st.execute(
          "INSERT INTO events VALUES (1, '2024-03-01 00:00:00'), (2, '2024-03-01 23:59:59'), (3, '2024-03-02 00:00:00')");
    }
    PipelineDefinition d =
        load(
            jdbc(
                "  fingerprint_query: SELECT count(*) FROM events WHERE updated_at >= :window_start AND updated_at < :window_end\n"
                    + "  lag: 10m\n  fetch_size: 2\n"));
    Pipeline p = d.pipeline();
    assertThat(p.source()).isInstanceOf(JdbcSource.class);
    assertThat(p.source().describe())
        .contains("SELECT id, updated_at FROM events")
        .contains("SELECT count(*)")
        .contains("PT10M")
        .doesNotContain("src.duckdb");
    List<Window> windows = p.source().windows(p.windows());
    assertThat(windows).extracting(Window::id).containsExactly("2024-03-01", "2024-03-02");
    List<Long> ids = new ArrayList<>();
    try (RecordReader r = p.source().read(p.windows(), windows.get(0))) {
      for (SourceRecord rec; (rec = r.next()) != null; ) {
        ids.add((Long) rec.values()[0]);
      }
    }
    assertThat(ids)
        .containsExactly(1L, 2L); // closed-open: 2024-03-02 00:00:00 belongs to the next day only
    assertThat(p.source().fingerprint(p.windows(), windows.get(0)))
        .get()
        .asString()
        .startsWith("query:");
  }

  @Test
  void aJdbcSourceDefaultsToNoLagAndPassesOtherKeysAsConnectionProperties() throws IOException {
    Pipeline p = load(jdbc("")).pipeline();
    assertThat(p.source().describe()).contains("fingerprint -").contains("lag PT0S");
    // --set reaches the jdbc source's own keys too
    assertThat(load(jdbc(""), "source.lag=1h").pipeline().source().describe()).contains("lag PT1H");
    Secrets secrets = new Secrets();
    PipelineFile.load(
        write(jdbc("  user: loader\n  password: file-written-pw\n  sslmode: require\n")),
        List.of(),
        Map.<String, String>of()::get,
        secrets);
    assertThat(secrets.redact("auth failed: file-written-pw"))
        .isEqualTo("auth failed: ***"); // a literal password is masked too
  }

  @Test
  void aJdbcSourceIsCheckedWhenLoaded() throws IOException {
    assertThat(error(jdbc("  lag: soon\n")))
        .isEqualTo(
            file()
                + ":5: source.lag: expected a duration such as 10m, 30s, 2h, 1d or PT10M, got 'soon'");
    assertThat(error(jdbc("  fetch_size: 0\n")))
        .isEqualTo(
            file() + ":5: source.fetch_size: expected a whole number of at least 1, got '0'");
    assertThat(error(jdbc("  path: data/*.csv\n")))
        .isEqualTo(
            file()
                + ":5: source.path: jdbc sources have no 'path': expected type, url, query, fingerprint_query, lag, fetch_size and JDBC connection properties");
    assertThat(
            error(
                jdbc("")
                    .replace(
                        "  query: SELECT id, updated_at FROM events WHERE updated_at >= :window_start AND updated_at < :window_end\n",
                        "")))
        .isEqualTo(file() + ":3: source: missing required key 'query'");
    assertThat(error(jdbc("").replace(":window_end", ":window_stop")))
        .startsWith(file() + ":3: source: query parameter :window_stop is unknown");
    String noDriver =
        error(
            jdbc("")
                .replaceFirst(
                    "url: .*", "url: jdbc:nosuchdb://alice:hunter22@db/x?password=hunter22"));
    assertThat(noDriver)
        .isEqualTo(
            file()
                + ":4: source.url: no JDBC driver accepts 'jdbc:nosuchdb://***@db/x?password=***': "
                + "expected jdbc:postgresql://host:port/db or jdbc:duckdb:file")
        .doesNotContain("hunter22");
    assertThat(error(MINIMAL.replace("  path: data/*.csv", "  path: data/*.csv\n  delimter: x")))
        .contains(
            "unknown key 'delimter' in source: expected one of type, path, delimiter, quote, header, null, encoding (did you mean 'delimiter'?)");
  }

  @Test
  void anUnknownConnectorTypeListsTheTypesFoundOnTheClassPath() throws IOException {
    assertThat(error(MINIMAL.replace("type: csv", "type: avro")))
        .isEqualTo(
            file()
                + ":3: source.type: unknown source type 'avro': expected csv, jsonl, jdbc, kafka or parquet");
    assertThat(error(MINIMAL + "destination: {type: delta}\n"))
        .isEqualTo(
            file()
                + ":12: destination.type: unknown destination type 'delta': expected jdbc (the default), kafka, iceberg or http");
    assertThat(error(MINIMAL + "windows: {kind: offsets}\n"))
        .isEqualTo(file() + ":12: windows.kind: offsets windows are for kafka sources");
    // an explicit jdbc type is today's default, and a DuckDB URL still resolves against the
    // pipeline's directory
    assertThat(
            jdbc(load(MINIMAL + "destination: {type: JDBC, url: 'jdbc:duckdb:out.duckdb'}\n"))
                .url())
        .isEqualTo("jdbc:duckdb:" + dir.toAbsolutePath().resolve("out.duckdb"));
  }

  @Test
  void theRedactorMasksSubstitutedValues() throws IOException {
    Secrets secrets = new Secrets();
    PipelineFile.load(
        write(MINIMAL + "destination: {url: 'jdbc:duckdb:x.duckdb', password: '${env:PW}'}\n"),
        List.of(),
        Map.of("PW", "hunter2-long")::get,
        secrets);
    assertThat(secrets.redact("login failed with hunter2-long for user x"))
        .isEqualTo("login failed with *** for user x");
  }

  @Test
  void theDestinationDescriptionMasksCredentials() {
    JdbcDestinationBinding spec =
        new JdbcDestinationBinding(
            "jdbc:postgresql://bob:pw@db/dw?user=bob&password=pw&ssl=true", new Properties(), null);
    assertThat(spec.describe())
        .isEqualTo("jdbc:postgresql://***@db/dw?user=***&password=***&ssl=true");
  }
}
