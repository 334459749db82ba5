package dev.idem.testing;

import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory source for tests: records assigned to windows by the spec (time windows) or all
 * in one window (full, batch). Records can be replaced to simulate changed input.
 */
public final class ListSource implements Source {
  private final Schema schema;
  private final List<Object[]> records = new CopyOnWriteArrayList<>();

  public ListSource(Schema schema) {
    this.schema = schema;
  }

  public ListSource add(Object... values) {
    if (values.length != schema.size()) {
      throw new IllegalArgumentException("expected " + schema.size() + " values");
    }
    records.add(values.clone());
    return this;
  }

  public ListSource replaceAll(List<Object[]> rows) {
    records.clear();
    rows.forEach(r -> records.add(r.clone()));
    return this;
  }

  public List<Object[]> records() {
    return new ArrayList<>(records);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public List<Window> windows(WindowSpec spec) {
    if (!spec.timeBased()) {
      return List.of(spec.kind() == dev.idem.window.WindowKind.FULL ? Window.full() : Window.batch("batch-1"));
    }
    int col = schema.indexOf(spec.column());
    TreeSet<Window> all = new TreeSet<>();
    records.forEach(r -> all.add(spec.assign(r[col])));
    return new ArrayList<>(all);
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) {
    int col = spec.timeBased() ? schema.indexOf(spec.column()) : -1;
    Iterator<Object[]> it = records.stream().filter(r -> col < 0 || spec.assign(r[col]).id().equals(window.id())).toList().iterator();
    int[] line = {0};
    return new RecordReader() {
      @Override
      public SourceRecord next() {
        line[0]++;
        return it.hasNext() ? new SourceRecord(it.next().clone(), "list:" + line[0]) : null;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String describe() {
    return "list " + schema.names();
  }
}
