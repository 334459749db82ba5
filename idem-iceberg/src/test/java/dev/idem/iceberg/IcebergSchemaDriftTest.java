package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.window.WindowSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schema_drift} on an Iceberg table: {@code evolve} adds a gained column (optional) in the
 * window's own commit, widens a decimal where Iceberg allows it, and refuses in one line a column
 * of a type idem cannot load; {@code discard} and {@code freeze} never change the table's schema.
 */
class IcebergSchemaDriftTest {
  private static final String BASE =
      "order_id,customer,amount,quantity\n1,ada,10.00,1\n2,bob,2.50,2\n";
  private static final String GAINED =
      "order_id,customer,amount,quantity,discount\n3,cyd,7.25,3,0.5\n4,dee,1.00,4,\n";

  @TempDir Path dir;

  private Pipeline pipeline(DriftPolicy policy) {
    Schema declared =
        Schema.of(
            Column.of("order_id", DataType.INTEGER),
            Column.of("customer", DataType.STRING),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("quantity", DataType.INTEGER));
    return Pipeline.builder("drift")
        .version("1")
        .source(
            new CsvSource(new FileSet(dir.resolve("data"), "*.csv"), declared, CsvFormat.DEFAULT))
        .windows(WindowSpec.file())
        .table("orders")
        .key(KeySpec.columns("order_id"))
        .strategy(WriteStrategy.MERGE)
        .schemaDrift(policy)
        .build();
  }

  private void file(String name, String text) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data").resolve(name), text);
  }

  private RunReport run(IcebergDestination d, Pipeline p, RunOptions options) throws Exception {
    return new Runner(d, RunServices.defaults()).run(p, p.source().windows(p.windows()), options);
  }

  private IcebergSettings settings() {
    return IcebergSettings.local(dir.resolve("warehouse"), "idem");
  }

  private Table table() {
    try (CatalogHandle c = new CatalogHandle(settings())) {
      return c.catalog().loadTable(TableIdentifier.of("idem", "orders"));
    }
  }

  /** Changes the table as another writer would (a person, another engine). */
  private void alter(java.util.function.Consumer<Table> change) {
    try (CatalogHandle c = new CatalogHandle(settings())) {
      change.accept(c.catalog().loadTable(TableIdentifier.of("idem", "orders")));
    }
  }

  @Test
  void evolveAddsTheGainedColumnInTheWindowsCommitAndARerunChangesNothing() throws Exception {
    file("day1.csv", BASE);
    file("day2.csv", GAINED);
    Pipeline p = pipeline(DriftPolicy.EVOLVE);
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      RunReport r = run(d, p, RunOptions.defaults("r1"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      List<String> rows = d.tableRows("orders");
      assertThat(rows)
          .containsExactly(
              "order_id=1|customer=ada|amount=10.00|quantity=1|_idem_window=day1.csv|discount=null",
              "order_id=2|customer=bob|amount=2.50|quantity=2|_idem_window=day1.csv|discount=null",
              "order_id=3|customer=cyd|amount=7.25|quantity=3|_idem_window=day2.csv|discount=0.5",
              "order_id=4|customer=dee|amount=1.00|quantity=4|_idem_window=day2.csv|discount=null");
      Table t = table();
      Types.NestedField discount = t.schema().findField("discount");
      assertThat(discount.isOptional()).isTrue();
      assertThat(discount.type()).isEqualTo(Types.StringType.get());
      // the column came with day2's rows: the snapshot before it has the old schema
      assertThat(t.currentSnapshot().summary()).containsEntry("idem.window", "day2.csv");
      assertThat(t.schemas()).hasSize(2);
      assertThat(t.schemas().get(t.currentSnapshot().schemaId()).findField("discount")).isNotNull();

      RunReport forced = run(d, p, RunOptions.defaults("r2").forced());
      assertThat(forced.ok()).as(forced.toString()).isTrue();
      for (WindowOutcome o : forced.outcomes()) {
        assertThat(o.counts().inserted() + o.counts().updated()).as(o.toString()).isZero();
      }
      assertThat(d.tableRows("orders")).isEqualTo(rows);
      assertThat(table().schemas()).hasSize(2);
    }
  }

  @Test
  void evolveStagesAColumnTheTableHasAsItsTypeAndWidensAnIntWhereIcebergAllowsIt()
      throws Exception {
    file("day1.csv", BASE);
    Pipeline p = pipeline(DriftPolicy.EVOLVE);
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      assertThat(run(d, p, RunOptions.defaults("r1")).ok()).isTrue();
    }
    alter(
        t ->
            t.updateSchema()
                .addColumn("rate", Types.DecimalType.of(4, 2))
                .addColumn("seen", Types.IntegerType.get())
                .commit());
    file("day2.csv", "order_id,customer,amount,quantity,rate,seen\n3,cyd,7.25,3,12.5,7\n");
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      RunReport r = run(d, p, RunOptions.defaults("r2"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(d.tableRows("orders"))
          .contains(
              "order_id=3|customer=cyd|amount=7.25|quantity=3|_idem_window=day2.csv|rate=12.50|seen=7");
    }
    // rate stays decimal(4,2): the input's "12.5" is loaded into the table's type; seen: int to
    // long, a widening Iceberg allows
    assertThat(table().schema().findField("rate").type()).isEqualTo(Types.DecimalType.of(4, 2));
    assertThat(table().schema().findField("seen").type()).isEqualTo(Types.LongType.get());
  }

  @Test
  void evolveRefusesAColumnOfATypeIdemCannotLoadInOneLine() throws Exception {
    file("day1.csv", BASE);
    Pipeline p = pipeline(DriftPolicy.EVOLVE);
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      assertThat(run(d, p, RunOptions.defaults("r1")).ok()).isTrue();
    }
    alter(t -> t.updateSchema().addColumn("tags", Types.BinaryType.get()).commit());
    file("day2.csv", "order_id,customer,amount,quantity,tags\n3,cyd,7.25,3,x\n");
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      RunReport r = run(d, p, RunOptions.defaults("r2"));
      WindowOutcome day2 =
          r.outcomes().stream().filter(o -> o.window().id().equals("day2.csv")).findFirst().get();
      assertThat(day2.result()).isEqualTo(WindowOutcome.Result.FAILED);
      assertThat(day2.message())
          .isEqualTo(
              "day2.csv:1: iceberg table idem.orders: column tags is binary, which idem cannot load the input's"
                  + " string values into: declare the column in the pipeline");
      assertThat(d.tableRows("orders")).noneMatch(row -> row.contains("cyd"));
    }
  }

  @Test
  void discardAndFreezeNeverChangeTheTablesSchema() throws Exception {
    file("day1.csv", BASE);
    file("day2.csv", GAINED);
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      RunReport r = run(d, pipeline(DriftPolicy.DISCARD), RunOptions.defaults("r1"));
      assertThat(r.ok()).as(r.toString()).isTrue();
      assertThat(d.tableRows("orders")).hasSize(4).noneMatch(row -> row.contains("discount"));
    }
    assertThat(table().schema().findField("discount")).isNull();
    Files.writeString(dir.resolve("data/day3.csv"), GAINED.replace("3,cyd", "5,cyd"));
    try (IcebergDestination d = new IcebergDestination(settings(), RunServices.defaults())) {
      RunReport r = run(d, pipeline(DriftPolicy.FREEZE), RunOptions.defaults("r2"));
      assertThat(r.ok()).isFalse();
    }
    assertThat(table().schema().findField("discount")).isNull();
    assertThat(table().schemas()).hasSize(1);
  }
}
