package dev.idem.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The hand-written Spark job of {@link SparkBench} (case s2): what a user writes without idem. Per
 * day file: {@code spark.read.csv} with the schema, each key's greatest version ({@code row_number}
 * over the key by {@code updated_at} descending), {@code MERGE INTO} an Iceberg table through
 * Iceberg's Spark catalog with a version guard. Arguments: data folder, days, warehouse, cores.
 * Prints {@code RESULT wall cpu count sum(order_id) sum(amount)}; the session's start is not timed.
 */
final class HandWrittenMerge {
  private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  private static final StructType SCHEMA =
      new StructType()
          .add("order_id", DataTypes.LongType, false)
          .add("customer", DataTypes.StringType)
          .add("product", DataTypes.StringType)
          .add("quantity", DataTypes.LongType)
          .add("amount", DataTypes.createDecimalType(12, 2))
          .add("status", DataTypes.StringType)
          .add("updated_at", DataTypes.TimestampNTZType);

  private HandWrittenMerge() {}

  public static void main(String[] args) {
    Path data = Path.of(args[0]);
    int days = Integer.parseInt(args[1]);
    Path warehouse = Path.of(args[2]);
    int cores = Integer.parseInt(args[3]);
    SparkSession spark = session(cores, warehouse);
    createHandTable(spark);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    hand(spark, data, days);
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    Row sums = spark.sql("SELECT count(*), sum(order_id), sum(amount) FROM hand.db.orders").first();
    System.out.println(
        String.format(
            Locale.ROOT,
            "RESULT %.3f %.3f %d %d %s",
            wall,
            cpu,
            sums.getLong(0),
            sums.getLong(1),
            sums.getDecimal(2).toPlainString()));
    spark.stop();
  }

  /**
   * The benchmark's local session: {@code local[cores]}, no UI, UTC, shuffle partitions at the
   * number of cores (idem's cases in {@link SparkBench} use it as it is).
   */
  static SparkSession.Builder local(int cores) {
    return SparkSession.builder()
        .master("local[" + cores + "]")
        .appName("idem spark bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", String.valueOf(cores));
  }

  /**
   * A session as a user would start it for Iceberg: the SQL extensions (MERGE INTO), a Hadoop
   * catalog {@code hand} on a local warehouse, shuffle partitions at the number of cores.
   */
  private static SparkSession session(int cores, Path warehouse) {
    return local(cores)
        .config(
            "spark.sql.extensions",
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.hand", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.hand.type", "hadoop")
        .config("spark.sql.catalog.hand.warehouse", warehouse.toUri().toString())
        // idem-iceberg's RawLocalFileSystem, cached by Hadoop's FileSystem cache for file: once
        // idem
        // ran in this JVM, has no getScheme(), which Iceberg's Spark scan calls: this catalog gets
        // its own, the checksummed LocalFileSystem a fresh Spark application would use
        .config(
            "spark.sql.catalog.hand.hadoop.fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem")
        .config("spark.sql.catalog.hand.hadoop.fs.file.impl.disable.cache", "true")
        .getOrCreate();
  }

  private static void createHandTable(SparkSession spark) {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS hand.db");
    spark.sql(
        "CREATE TABLE hand.db.orders (order_id bigint NOT NULL, customer string, product string,"
            + " quantity bigint, amount decimal(12,2), status string, updated_at timestamp_ntz)"
            + " USING iceberg PARTITIONED BY (days(updated_at))");
  }

  /** What a user writes without idem: per day, read, keep each key's greatest version, MERGE. */
  private static void hand(SparkSession spark, Path data, int days) {
    for (int d = 0; d < days; d++) {
      Path file = data.resolve("orders-" + FIRST_DAY.plusDays(d) + ".csv");
      Dataset<Row> in = spark.read().schema(SCHEMA).option("header", "true").csv(file.toString());
      Dataset<Row> latest =
          in.withColumn(
                  "rn",
                  row_number()
                      .over(Window.partitionBy("order_id").orderBy(col("updated_at").desc())))
              .filter(col("rn").equalTo(1))
              .drop("rn");
      latest.createOrReplaceTempView("day");
      spark.sql(
          "MERGE INTO hand.db.orders t USING day s ON t.order_id = s.order_id"
              + " WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET *"
              + " WHEN NOT MATCHED THEN INSERT *");
    }
  }
}
