package dev.idem.jdbc.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A query's result metadata as the observed schema: a PostgreSQL source whose query returns more
 * columns, fewer, or a column of another type, loaded into DuckDB and PostgreSQL under each policy.
 */
class JdbcSourceDriftTest {
  private static final Schema DECLARED =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("status", DataType.STRING),
          Column.of("qty", DataType.decimal(12, 2)));

  @TempDir Path dir;

  private static String source() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE src (id bigint, status text, qty numeric(10,2), note text, price numeric(5,2), ratio double precision)");
      s.execute(
          "INSERT INTO src VALUES (1, 'new', 3.00, 'gift', 9.99, 0.5), (2, 'paid', 2.50, NULL, NULL, NULL)");
    }
    return url;
  }

  private JdbcDestination destination(String kind) {
    String url =
        kind.equals("duckdb")
            ? "jdbc:duckdb:" + dir.resolve("dst.duckdb")
            : EmbeddedPostgresServer.newDatabase();
    return JdbcDestination.open(
        url, new Properties(), RunServices.defaults(), Duration.ofSeconds(5));
  }

  private static Pipeline pipeline(String url, String query, Schema schema, DriftPolicy policy) {
    return pipeline("q", url, query, schema, policy);
  }

  private static Pipeline pipeline(
      String name, String url, String query, Schema schema, DriftPolicy policy) {
    JdbcSource source =
        new JdbcSource(url, new Properties(), query, schema, Optional.empty(), Duration.ZERO, 100);
    return Pipeline.builder(name)
        .source(source)
        .windows(WindowSpec.full())
        .table(name.equals("q") ? "orders" : name)
        .key("id")
        .strategy(WriteStrategy.MERGE)
        .schemaDrift(policy)
        .build();
  }

  private static WindowOutcome run(JdbcDestination d, Pipeline p) {
    return new Runner(d, RunServices.defaults())
        .run(p, List.of(Window.full()), RunOptions.defaults("r"))
        .outcomes()
        .get(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void discardDropsAResultColumnThatIsNotDeclaredAndCountsItsValues(String kind) throws Exception {
    Pipeline p =
        pipeline(source(), "SELECT id, status, qty, note FROM src", DECLARED, DriftPolicy.DISCARD);
    try (JdbcDestination d = destination(kind)) {
      WindowOutcome o = run(d, p);
      assertThat(o.result()).as(o.message()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(TableSnapshot.rows(d, "orders"))
          .containsExactly(
              "id=1|status=new|qty=3.00|_idem_window=full",
              "id=2|status=paid|qty=2.50|_idem_window=full");
      WindowState s = d.ledger().state("q", "full").orElseThrow();
      assertThat(s.schema().drift()).isEqualTo("added: note");
      assertThat(s.schema().columnsDiscarded()).isEqualTo(1);
      assertThat(s.schema().valuesDiscarded()).isEqualTo(1);
      assertThat(s.counts().balanced()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void freezeFailsOnAnAddedOrRetypedResultColumn(String kind) throws Exception {
    String src = source();
    try (JdbcDestination d = destination(kind)) {
      WindowOutcome added =
          run(
              d,
              pipeline(src, "SELECT id, status, qty, note FROM src", DECLARED, DriftPolicy.FREEZE));
      assertThat(added.result()).isEqualTo(WindowOutcome.Result.FAILED);
      assertThat(added.message())
          .isEqualTo(
              "window full: schema drift at query result: added: note (schema_drift: freeze fails a window on any drift)");
      Schema integerQty =
          Schema.of(
              Column.of("id", DataType.INTEGER),
              Column.of("status", DataType.STRING),
              Column.of("qty", DataType.INTEGER));
      WindowOutcome retyped =
          run(
              d,
              pipeline(
                  "q_int", src, "SELECT id, status, qty FROM src", integerQty, DriftPolicy.FREEZE));
      assertThat(retyped.message())
          .isEqualTo(
              "window full: schema drift at query result: retyped: qty from integer to decimal(10,2)"
                  + " (schema_drift: freeze fails a window on any drift)");
      assertThat(
              run(d, pipeline(src, "SELECT id, status, qty FROM src", DECLARED, DriftPolicy.FREEZE))
                  .result())
          .isEqualTo(WindowOutcome.Result.LOADED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aRetypedResultColumnIsParsedFromItsTextAndNeverNarrowed(String kind) throws Exception {
    Schema integerQty =
        Schema.of(
            Column.of("id", DataType.INTEGER),
            Column.of("status", DataType.STRING),
            Column.of("qty", DataType.INTEGER));
    Pipeline p =
        pipeline(source(), "SELECT id, status, qty FROM src", integerQty, DriftPolicy.EVOLVE);
    try (JdbcDestination d = destination(kind)) {
      WindowOutcome o = run(d, p);
      assertThat(o.result()).isEqualTo(WindowOutcome.Result.FAILED);
      // 3.00 and 2.50 are not integers as written: the driver would have given 3 and 2
      assertThat(o.message()).isEqualTo("window full row 1: column qty: '3.00' is not an integer");
      assertThat(TableSnapshot.rows(d, "orders")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void evolveAddsResultColumnsTypedByTheirSqlTypesAndLoadsARemovedOneAsNull(String kind)
      throws Exception {
    Pipeline p =
        pipeline(
            source(), "SELECT id, qty, note, price, ratio FROM src", DECLARED, DriftPolicy.EVOLVE);
    try (JdbcDestination d = destination(kind)) {
      WindowOutcome o = run(d, p);
      assertThat(o.result()).as(o.message()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(TableSnapshot.rows(d, "orders"))
          .containsExactly(
              "id=1|status=null|qty=3.00|_idem_window=full|note=gift|price=9.99|ratio=0.5",
              "id=2|status=null|qty=2.50|_idem_window=full|note=null|price=null|ratio=null");
      assertThat(
              TableSnapshot.rows(
                  d,
                  "(SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
                      + " AND column_name IN ('price', 'ratio'))"))
          .allSatisfy(
              c -> assertThat(c).containsAnyOf("DECIMAL(5,2)", "numeric", "VARCHAR", "text"));
      WindowState s = d.ledger().state("q", "full").orElseThrow();
      // a double precision has no idem type: it is loaded as its text, a string
      assertThat(s.schema().drift()).isEqualTo("added: note, price, ratio; removed: status");
      assertThat(run(d, p).result()).isEqualTo(WindowOutcome.Result.UNCHANGED);
    }
  }
}
