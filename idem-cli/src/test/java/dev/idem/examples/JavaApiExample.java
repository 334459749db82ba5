package dev.idem.examples;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The Java example of docs/java-api.md, compiled by the build and run by {@code
 * JavaApiExampleTest}.
 */
public final class JavaApiExample {
  private JavaApiExample() {}

  // README-BEGIN
  public static RunReport loadOrders(Path dataDir, Path duckdbFile) throws IOException {
    Schema columns =
        Schema.of(
            Column.of("order_id", DataType.INTEGER), Column.of("customer", DataType.STRING),
            Column.of("product", DataType.STRING), Column.of("quantity", DataType.INTEGER),
            Column.of("amount", DataType.decimal(12, 2)), Column.of("status", DataType.STRING),
            Column.of("order_ts", DataType.TIMESTAMP),
                Column.of("ingested_at", DataType.TIMESTAMP));

    Pipeline orders =
        Pipeline.builder("orders")
            .version("1")
            .source(new CsvSource(new FileSet(dataDir, "orders-*.csv"), columns, CsvFormat.DEFAULT))
            .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
            .table("orders")
            .key("order_id")
            .orderBy("ingested_at") // the latest version of an order wins
            .strategy(WriteStrategy.MERGE)
            .rowFunction(
                "upper-status-v1",
                (values, context) -> {
                  values[5] =
                      values[5] == null ? null : ((String) values[5]).toUpperCase(Locale.ROOT);
                  return values; // return null to discard a record
                })
            .build();

    RunServices services = RunServices.defaults();
    try (JdbcDestination duckdb =
        JdbcDestination.open(
            "jdbc:duckdb:" + duckdbFile, new Properties(), services, Duration.ofSeconds(30))) {
      Runner runner = new Runner(duckdb, services);
      return runner.run(
          orders,
          orders.source().windows(orders.windows()),
          RunOptions.defaults(UUID.randomUUID().toString()));
    }
  }
  // README-END
}
