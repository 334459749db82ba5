package dev.idem.bench;

import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows in memory as batch windows of {@code size} rows, {@code w000001} onwards. */
final class MemoryRows implements Source {
  private final Object[][] rows;
  private final long size;

  MemoryRows(Object[][] rows, long size) {
    this.rows = rows;
    this.size = size;
  }

  @Override
  public Schema schema() {
    return KafkaBench.ORDERS;
  }

  @Override
  public List<Window> windows(WindowSpec spec) {
    List<Window> windows = new ArrayList<>();
    for (long from = 0; from < rows.length; from += size) {
      windows.add(Window.batch(String.format(Locale.ROOT, "w%06d", from / size + 1)));
    }
    return windows;
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) {
    long from = (Long.parseLong(window.id().substring(1)) - 1) * size;
    int end = (int) Math.min(rows.length, from + size);
    return new RecordReader() {
      private int next = (int) from;

      @Override
      public SourceRecord next() {
        return next < end ? new SourceRecord(rows[next], "row " + next++) : null;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String describe() {
    return "orders in memory";
  }
}
