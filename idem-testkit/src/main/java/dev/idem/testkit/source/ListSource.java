package dev.idem.testkit.source;

import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-memory source for tests: records assigned to windows by the spec (time windows) or all in
 * one window (full, batch). Records can be replaced to simulate changed input, and bad records
 * (unreadable, as a file source returns them) can be placed in a window.
 */
public final class ListSource implements Source {
  private final Schema schema;
  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  /**
   * A record: its values, or (bad) the value that places it in a window, its raw input and problem.
   */
  @SuppressWarnings(
      "ArrayRecordComponent") // never compared or hashed: entries are only listed back in order
  private record Entry(Object[] values, Object windowValue, String raw, String problem) {
    boolean bad() {
      return problem != null;
    }
  }

  /** The source's own fingerprint of a window, or null for none (the runner hashes records). */
  private volatile Function<Window, String> fingerprint = w -> null;

  public ListSource(Schema schema) {
    this.schema = schema;
  }

  /** Gives each window the fingerprint {@code f} says, as a source with a cheap one does. */
  public ListSource fingerprintedBy(Function<Window, String> f) {
    this.fingerprint = f;
    return this;
  }

  @Override
  public Optional<String> fingerprint(WindowSpec spec, Window window) {
    return Optional.ofNullable(fingerprint.apply(window));
  }

  public ListSource add(Object... values) {
    if (values.length != schema.size()) {
      throw new IllegalArgumentException("expected " + schema.size() + " values");
    }
    entries.add(new Entry(values.clone(), null, null, null));
    return this;
  }

  /**
   * A record the source cannot read, in the window of {@code windowValue} (any window for full and
   * batch).
   */
  public ListSource addBad(Object windowValue, String raw, String problem) {
    entries.add(new Entry(null, windowValue, raw, problem));
    return this;
  }

  /** Replaces every record, bad ones included, by these. */
  public ListSource replaceAll(List<Object[]> rows) {
    entries.clear();
    rows.forEach(this::add);
    return this;
  }

  /** The good records' values. */
  public List<Object[]> records() {
    return new ArrayList<>(entries.stream().filter(e -> !e.bad()).map(Entry::values).toList());
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public List<Window> windows(WindowSpec spec) {
    if (!spec.timeBased()) {
      return List.of(spec.kind() == WindowKind.FULL ? Window.full() : Window.batch("batch-1"));
    }
    int col = schema.indexOf(spec.column());
    TreeSet<Window> all = new TreeSet<>();
    entries.forEach(e -> all.add(spec.assign(e.bad() ? e.windowValue() : e.values()[col])));
    return new ArrayList<>(all);
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) {
    int col = spec.timeBased() ? schema.indexOf(spec.column()) : -1;
    Iterator<Entry> it =
        entries.stream()
            .filter(
                e ->
                    col < 0
                        || spec.assign(e.bad() ? e.windowValue() : e.values()[col])
                            .id()
                            .equals(window.id()))
            .toList()
            .iterator();
    int[] line = {0};
    return new RecordReader() {
      @Override
      public SourceRecord next() {
        line[0]++;
        if (!it.hasNext()) {
          return null;
        }
        Entry e = it.next();
        return e.bad()
            ? SourceRecord.bad("list:" + line[0], e.raw(), e.problem())
            : new SourceRecord(e.values().clone(), "list:" + line[0]);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Yes: a reader iterates a copy of the records taken when it opened, so the runner's suites read
   * these ahead on another thread as they read files ({@code WindowRecords}).
   */
  @Override
  public boolean readsOnAnyThread() {
    return true;
  }

  @Override
  public String describe() {
    return "list " + schema.names();
  }
}
