package dev.idem.serve;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * The pipeline the page is tested on, loaded for real: orders in day windows 2024-03-01 to
 * 2024-03-05, merged by order_id. Day 3 holds one bad record (dead-lettered, the window loads: at
 * most one bad record is allowed), day 5 two (the window fails, its letters are kept), and day 2's
 * input changes after the first run, so the second run loads it again (two attempts, three rows
 * updated).
 */
final class Orders {
  static final Schema SCHEMA =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("ingested_at", DataType.TIMESTAMP));

  /** The raw input of day 3's bad record: markup, which the page must show as text. */
  static final String BAD_RAW = "<b>7,\"unterminated</b>";

  private Orders() {}

  static RunServices services() {
    return RunServices.defaults().withRetry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO));
  }

  static ListSource source(String dayTwoCustomer) {
    ListSource s = new ListSource(SCHEMA);
    for (int day = 1; day <= 5; day++) {
      for (int i = 0; i < 3; i++) {
        String customer = day == 2 ? dayTwoCustomer + i : "c" + day + "-" + i;
        s.add((long) (day * 10 + i), customer, LocalDateTime.of(2024, 3, day, 8, i));
      }
    }
    s.addBad(LocalDateTime.of(2024, 3, 3, 9, 0), BAD_RAW, "line 7: unterminated quote");
    s.addBad(LocalDateTime.of(2024, 3, 5, 9, 0), "55,x", "line 9: amount: not a number");
    s.addBad(LocalDateTime.of(2024, 3, 5, 9, 1), "56,y", "line 10: amount: not a number");
    return s;
  }

  static Pipeline pipeline(dev.idem.source.Source source) {
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .key("order_id")
        .strategy(WriteStrategy.MERGE)
        .badRecords(new BadRecordPolicy(1, null))
        .build();
  }

  static String url(Path file) {
    return "jdbc:duckdb:" + file;
  }

  /** Loads the pipeline into a new DuckDB file twice (day 2 changed in between); closes it. */
  static Path load(Path dir) throws IOException {
    Path file = dir.resolve("orders.duckdb");
    load(url(file));
    return file;
  }

  /** Loads the pipeline into the database at {@code url} twice (day 2 changed in between). */
  static void load(String url) throws IOException {
    try (JdbcDestination d =
        JdbcDestination.open(url, new Properties(), services(), Duration.ZERO)) {
      run(d, pipeline(source("first-")));
      run(d, pipeline(source("second-")));
    }
  }

  static void run(JdbcDestination d, Pipeline p) throws IOException {
    new Runner(d, services()).run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
  }

  static ServedPipeline served(Path file) {
    return ServedPipeline.of(
        "pipelines/orders.yaml",
        pipeline(source("second-")),
        new JdbcDestinationBinding(url(file), new Properties(), file));
  }
}
