package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rows a target table refuses beyond the declared types, on a real database: the table was created
 * by another tool, narrower than idem's own (a length limit, NOT NULL where the pipeline admits
 * NULL, CHECK constraints, a UNIQUE constraint besides the key, a foreign key). Rows refused for a
 * reason of their own become dead letters naming the column, the limit or the constraint and their
 * input position, and the rest of the window loads, for every strategy; rows refused because of
 * other rows or tables fail the window in one line naming the constraint and the values, rolled
 * back and not retried. Every window's ledger counts balance.
 */
public abstract class TargetRulesSuite {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("email", DataType.STRING),
          Column.of("ingested_at", DataType.TIMESTAMP));

  /**
   * The table as another tool made it: every type compatible with the pipeline's, and narrower
   * rules.
   */
  private static final String TABLE =
      "CREATE TABLE orders (order_id BIGINT NOT NULL, customer VARCHAR(8) NOT NULL,"
          + " amount DECIMAL(12,2) CHECK (amount >= 0), email VARCHAR UNIQUE, ingested_at TIMESTAMP NOT NULL,"
          + " _idem_window VARCHAR NOT NULL, CHECK (amount < 1000 OR customer <> 'small'))";

  private static final LocalDateTime DAY = LocalDateTime.of(2024, 3, 1, 8, 0);

  /** A new, empty database. */
  protected abstract JdbcDestination newDestination();

  /**
   * True when the database enforces the length of {@code VARCHAR(n)} (PostgreSQL does, DuckDB does
   * not).
   */
  protected abstract boolean enforcesLengths();

  private static Pipeline pipeline(ListSource source, WriteStrategy strategy, long maxBad) {
    Pipeline.Builder b =
        Pipeline.builder("orders")
            .source(source)
            .table("orders")
            .key(KeySpec.columns("order_id"))
            .strategy(strategy)
            .badRecords(new BadRecordPolicy(maxBad, null));
    return b.windows(
            strategy == WriteStrategy.REPLACE_TABLE
                ? WindowSpec.full()
                : WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .build();
  }

  private static Window window(Pipeline p) {
    return p.target().strategy() == WriteStrategy.REPLACE_TABLE
        ? Window.full()
        : p.windows().window("2024-03-01");
  }

  private static RunReport run(JdbcDestination d, Pipeline p, RunOptions options) {
    // retries would hide a data error taken for a transient one: allow some, and assert one attempt
    RunServices services =
        RunServices.defaults().withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
    return new Runner(d.withServices(services), services).run(p, List.of(window(p)), options);
  }

  private static ListSource orders(Object[]... rows) {
    ListSource s = new ListSource(ORDERS);
    for (Object[] r : rows) {
      s.add(r);
    }
    return s;
  }

  private static Object[] order(long id, String customer, String amount, String email) {
    return new Object[] {
      id, customer, amount == null ? null : new BigDecimal(amount), email, DAY.plusMinutes(id)
    };
  }

  private JdbcDestination withTable() {
    JdbcDestination d = newDestination();
    TableSnapshot.execute(d, TABLE);
    return d;
  }

  /**
   * The window's ledger row: done or failed, and when done, counts that balance and match the dead
   * letters kept.
   */
  private static WindowState ledger(JdbcDestination d, Pipeline p) {
    WindowState s = d.ledger().state("orders", window(p).id()).orElseThrow();
    WindowCounts c = s.counts();
    if (s.status() == WindowStatus.DONE) {
      assertThat(c.balanced()).as("balanced: %s", c).isTrue();
      assertThat(d.ledger().deadLetters("orders", Optional.of(s.windowId()), false))
          .hasSize((int) c.deadLettered());
      assertThat(c.targetRows()).isEqualTo(d.rowsInTarget(p, s.windowId()));
    }
    return s;
  }

  private static List<String> letters(JdbcDestination d) {
    List<String> out = new ArrayList<>();
    for (DeadLetter l : d.ledger().deadLetters("orders", Optional.empty(), false)) {
      out.add(l.position() + ": " + l.reason());
    }
    out.sort(null);
    return out;
  }

  private static List<String> ids(JdbcDestination d) {
    return d.tableRows("orders").stream().map(r -> r.substring(0, r.indexOf('|'))).toList();
  }

  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void rowsTheTableRefusesOnTheirOwnAreDeadLettersNamingColumnLimitAndPosition(
      WriteStrategy strategy) {
    ListSource source =
        orders(
            order(1, "ada", "10.00", "a@x"),
            order(2, "bartholomew", "5.00", "b@x"), // 11 characters in a VARCHAR(8)
            order(3, null, "5.00", "c@x"), // NULL in a NOT NULL column the pipeline admits NULL in
            order(4, "dee", "-1.00", "d@x"), // CHECK (amount >= 0)
            order(5, "eve", "7.00", "e@x"),
            order(
                6,
                "fay      ",
                "1.00",
                "f@x"), // 9 characters, the excess spaces: PostgreSQL would cut it unseen
            order(7, "small", "1000.00", "g@x"), // the table's CHECK over two columns
            order(8, "hal", null, "h@x")); // a CHECK on NULL passes
    Pipeline p = pipeline(source, strategy, 10);
    try (JdbcDestination d = withTable()) {
      RunReport report = run(d, p, RunOptions.defaults("load"));

      WindowOutcome o = report.outcomes().get(0);
      assertThat(o.result()).as(o.message()).isEqualTo(Result.LOADED);
      List<String> expected =
          new ArrayList<>(
              List.of(
                  "list:3: column customer: no value, but column customer of table orders is NOT NULL",
                  "list:4: violates CHECK constraint "
                      + checkName(d, "amount")
                      + " of table orders: "
                      + checkExpression(d, "amount")
                      + ", with amount = '-1.00'",
                  "list:7: violates CHECK constraint "
                      + checkName(d, "customer")
                      + " of table orders: "
                      + checkExpression(d, "customer")
                      + ", with amount = '1000.00', customer = 'small'"));
      if (enforcesLengths()) {
        expected.add(
            "list:2: column customer: 'bartholomew' has 11 characters, more than the 8 column customer of table orders holds (varchar(8)); values are never cut");
        expected.add(
            "list:6: column customer: 'fay      ' has 9 characters, more than the 8 column customer of table orders holds (varchar(8)); values are never cut");
      }
      expected.sort(null);
      assertThat(letters(d)).isEqualTo(expected);
      List<String> loaded =
          enforcesLengths()
              ? List.of("order_id=1", "order_id=5", "order_id=8")
              : List.of("order_id=1", "order_id=2", "order_id=5", "order_id=6", "order_id=8");
      assertThat(ids(d)).isEqualTo(loaded);
      WindowState s = ledger(d, p);
      assertThat(s.counts().read()).isEqualTo(8);
      assertThat(s.counts().deadLettered()).isEqualTo(expected.size());
      assertThat(s.counts().inserted()).isEqualTo(loaded.size());
      assertThat(o.counts()).isEqualTo(s.counts());
      // the raw input of a row refused after staging is its values, as for one refused before
      assertThat(d.ledger().deadLetters("orders", Optional.empty(), false))
          .filteredOn(l -> l.position().equals("list:4"))
          .singleElement()
          .satisfies(l -> assertThat(l.raw()).startsWith("[4, dee, -1.00, d@x, 2024-03-01"));

      // run again: nothing changes; forced: the same rows and letters, the old letters replayed
      assertThat(run(d, p, RunOptions.defaults("again")).outcomes().get(0).result())
          .isEqualTo(Result.UNCHANGED);
      assertThat(run(d, p, RunOptions.defaults("forced").forced()).outcomes().get(0).result())
          .isEqualTo(Result.LOADED);
      assertThat(letters(d)).isEqualTo(expected);
      assertThat(ids(d)).isEqualTo(loaded);
      assertThat(ledger(d, p).counts().deadLettered()).isEqualTo(expected.size());
    }
  }

  @Test
  void aCheckViolationPastTheLimitsFailsTheWindowAndKeepsItsLetter() {
    Pipeline p =
        pipeline(
            orders(order(1, "ada", "10.00", "a@x"), order(2, "bob", "-2.00", "b@x")),
            WriteStrategy.MERGE,
            0);
    try (JdbcDestination d = withTable()) {
      WindowOutcome o = run(d, p, RunOptions.defaults("load")).outcomes().get(0);
      assertThat(o.result()).isEqualTo(Result.FAILED);
      assertThat(o.attempts()).isEqualTo(1);
      assertThat(o.message())
          .isEqualTo(
              "window 2024-03-01: 1 bad records, more than max_bad_records 0; nothing of it was loaded, its bad records are in"
                  + " the dead letters (idem dlq list); first: list:2: violates CHECK constraint "
                  + checkName(d, "amount")
                  + " of table orders: "
                  + checkExpression(d, "amount")
                  + ", with amount = '-2.00'");
      assertThat(ids(d)).isEmpty();
      assertThat(letters(d))
          .singleElement()
          .asString()
          .startsWith("list:2: violates CHECK constraint");
      assertThat(ledger(d, p).status()).isEqualTo(WindowStatus.FAILED);
    }
  }

  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void aUniqueConstraintBesidesTheKeyFailsTheWindowNamingItAndTheValueWithoutRetrying(
      WriteStrategy strategy) {
    Pipeline p =
        pipeline(
            orders(
                order(1, "ada", "10.00", "a@x"),
                order(2, "bob", "1.00", "same@x"),
                order(3, "cyd", "1.00", "same@x")),
            strategy,
            10);
    try (JdbcDestination d = withTable()) {
      WindowOutcome o = run(d, p, RunOptions.defaults("load")).outcomes().get(0);
      assertThat(o.result()).isEqualTo(Result.FAILED);
      assertThat(o.attempts()).isEqualTo(1);
      assertThat(o.message())
          .startsWith(
              "window "
                  + window(p).id()
                  + ": table orders refused a row, so nothing of the window was loaded: ");
      assertUniqueViolation(o.message(), "same@x");
      assertThat(ids(d)).isEmpty();
      assertThat(ledger(d, p).status()).isEqualTo(WindowStatus.FAILED);
      assertThat(ledger(d, p).error()).isEqualTo(o.message());
    }
  }

  /**
   * replace_table makes the whole table the window: the other writer's row goes, and with it the
   * conflict.
   */
  @ParameterizedTest
  @EnumSource(WriteStrategy.class)
  void aValueAnotherWriterHoldsUnderAUniqueConstraintFailsTheWindow(WriteStrategy strategy) {
    Pipeline p =
        pipeline(
            orders(order(1, "ada", "10.00", "a@x"), order(2, "bob", "1.00", "taken@x")),
            strategy,
            10);
    try (JdbcDestination d = withTable()) {
      TableSnapshot.execute(
          d,
          "INSERT INTO orders VALUES (99, 'other', 1.00, 'taken@x', TIMESTAMP '2024-01-01 00:00:00', 'elsewhere')");
      WindowOutcome o = run(d, p, RunOptions.defaults("load")).outcomes().get(0);
      if (strategy == WriteStrategy.REPLACE_TABLE) {
        assertThat(o.result()).as(o.message()).isEqualTo(Result.LOADED);
        assertThat(ids(d)).containsExactly("order_id=1", "order_id=2");
        ledger(d, p);
        return;
      }
      assertThat(o.result()).isEqualTo(Result.FAILED);
      assertThat(o.attempts()).isEqualTo(1);
      assertThat(o.message()).contains("table orders refused a row");
      assertUniqueViolation(o.message(), "taken@x");
      assertThat(ids(d)).containsExactly("order_id=99");
    }
  }

  @Test
  void aForeignKeyFailsTheWindowNamingTheValue() {
    Pipeline p =
        pipeline(
            orders(order(1, "ada", "10.00", "a@x"), order(2, "bob", "1.00", "b@x")),
            WriteStrategy.APPEND,
            10);
    try (JdbcDestination d = newDestination()) {
      TableSnapshot.execute(d, "CREATE TABLE customers (name VARCHAR PRIMARY KEY)");
      TableSnapshot.execute(d, "INSERT INTO customers VALUES ('ada')");
      TableSnapshot.execute(
          d,
          "CREATE TABLE orders (order_id BIGINT, customer VARCHAR REFERENCES customers (name), amount DECIMAL(12,2),"
              + " email VARCHAR, ingested_at TIMESTAMP, _idem_window VARCHAR NOT NULL)");
      WindowOutcome o = run(d, p, RunOptions.defaults("load")).outcomes().get(0);
      assertThat(o.result()).isEqualTo(Result.FAILED);
      assertThat(o.attempts()).isEqualTo(1);
      assertThat(o.message())
          .contains("table orders refused a row, so nothing of the window was loaded: ", "bob");
      assertThat(ids(d)).isEmpty();
    }
  }

  @Test
  void aTransformsOutputTheTableRefusesFailsTheWindowNamingColumnLimitAndKey() {
    ListSource source =
        orders(
            order(1, "ada", "10.00", "a@x"),
            order(2, "bob", "1.00", "b@x"),
            order(3, "cyd", "1.00", "c@x"));
    String sql =
        enforcesLengths()
            ? "SELECT order_id, CASE WHEN order_id > 1 THEN customer || '-with-a-long-tail' ELSE customer END AS customer, amount, email, ingested_at FROM staged"
            : "SELECT order_id, CASE WHEN order_id > 1 THEN NULL ELSE customer END AS customer, amount, email, ingested_at FROM staged";
    Pipeline p =
        Pipeline.builder("orders")
            .source(source)
            .table("orders")
            .key(KeySpec.columns("order_id"))
            .strategy(WriteStrategy.MERGE)
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .transform(sql)
            .targetColumns(ORDERS)
            .badRecords(new BadRecordPolicy(10, null))
            .build();
    try (JdbcDestination d = withTable()) {
      WindowOutcome o = run(d, p, RunOptions.defaults("load")).outcomes().get(0);
      assertThat(o.result()).isEqualTo(Result.FAILED);
      assertThat(o.message())
          .isEqualTo(
              "window 2024-03-01: 2 rows of the transform's output are refused by table orders; first, [order_id]=[2]: "
                  + (enforcesLengths()
                      ? "column customer: 'bob-with-a-long-tail' has 20 characters, more than the 8 column customer of table orders holds"
                          + " (varchar(8)); values are never cut"
                      : "column customer: no value, but column customer of table orders is NOT NULL")
                  + "; fix the transform or the table (nothing of the window was loaded)");
      assertThat(ids(d)).isEmpty();
    }
  }

  /**
   * The name the database gives the UNIQUE constraint on {@code email} in its error, or null if it
   * names none.
   */
  protected abstract String uniqueConstraint();

  private void assertUniqueViolation(String message, String email) {
    assertThat(message).containsIgnoringCase("duplicate key").contains(email).doesNotContain("\n");
    if (uniqueConstraint() != null) {
      assertThat(message).contains(uniqueConstraint());
    }
  }

  /**
   * The name the database gives the CHECK constraint reading {@code column} (and only it, or also
   * it).
   */
  private static String checkName(JdbcDestination d, String column) {
    return check(d, column, 0);
  }

  private static String checkExpression(JdbcDestination d, String column) {
    return check(d, column, 1);
  }

  private static String check(JdbcDestination d, String column, int field) {
    return d.transaction(
        "read checks",
        c -> {
          try (var ps = c.prepareStatement(d.dialect().catalog().checksQuery())) {
            ps.setString(1, null);
            ps.setString(2, "orders");
            try (var rs = ps.executeQuery()) {
              List<String[]> rows = new ArrayList<>();
              while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
              }
              // the single-column check of amount, or the two-column check naming customer
              for (String[] r : rows) {
                long columns = rows.stream().filter(x -> x[0].equals(r[0])).count();
                if (r[2].equals(column)
                    && (column.equals("amount") ? columns == 1 : columns == 2)) {
                  return r[field];
                }
              }
              throw new AssertionError("no CHECK on " + column + " in " + rows.size() + " rows");
            }
          }
        });
  }
}
