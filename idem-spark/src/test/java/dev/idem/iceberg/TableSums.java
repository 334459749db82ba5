package dev.idem.iceberg;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** The row count and two column sums of a table of a local warehouse (the embedded catalog). */
public final class TableSums {
  /** count(*), sum(a long column), sum(a decimal column). */
  public record Sums(long count, long longSum, BigDecimal decimalSum) {}

  private TableSums() {}

  public static Sums of(Path warehouse, String table, String longColumn, String decimalColumn)
      throws IOException {
    Catalog catalog = IcebergSettings.local(warehouse, "idem").open();
    try {
      Table t = catalog.loadTable(TableIdentifier.of("idem", table));
      long count = 0;
      long sum = 0;
      BigDecimal decimals = BigDecimal.ZERO;
      try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
        for (Record r : it) {
          count++;
          sum += ((Number) r.getField(longColumn)).longValue();
          decimals = decimals.add((BigDecimal) r.getField(decimalColumn));
        }
      }
      return new Sums(count, sum, decimals);
    } finally {
      if (catalog instanceof Closeable c) {
        c.close();
      }
    }
  }
}
