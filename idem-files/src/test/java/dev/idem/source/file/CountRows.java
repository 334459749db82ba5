package dev.idem.source.file;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Child-JVM entry point of the streaming test: reads a CSV through CsvSource and prints the row
 * count.
 */
public final class CountRows {
  private CountRows() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Schema schema =
        Schema.of(
            Column.of("id", DataType.INTEGER),
            Column.of("name", DataType.STRING),
            Column.of("amount", DataType.decimal(12, 2)),
            Column.of("at", DataType.TIMESTAMPTZ));
    CsvSource source =
        new CsvSource(
            new FileSet(file.getParent(), file.getFileName().toString()),
            schema,
            CsvFormat.DEFAULT);
    long rows = 0;
    long idSum = 0;
    Object[] previous = null;
    try (RecordReader reader =
        source.read(WindowSpec.full(), source.windows(WindowSpec.full()).get(0))) {
      for (var r = reader.next(); r != null; r = reader.next()) {
        if (r.values() == previous) {
          throw new IllegalStateException("a record array was reused");
        }
        previous = r.values();
        idSum += (Long) r.values()[0];
        rows++;
      }
    }
    System.out.println(rows + " " + idSum + " " + Arrays.toString(previous));
  }
}
