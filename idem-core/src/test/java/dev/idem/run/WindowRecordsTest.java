package dev.idem.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.ObservesSchema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Records read ahead on another thread ({@link WindowRecords#ahead}) reach the row loop exactly as
 * read on its own thread: the same records in the same order, and a read failure thrown at the same
 * record, whatever the batch boundaries; closing stops the reading thread before the reader closes.
 */
class WindowRecordsTest {
  private static final Schema SCHEMA = Schema.of(Column.of("id", DataType.INTEGER));

  /** Records 1..n, the {@code failAt}-th (1-based, 0: none) failing to parse. */
  private static final class Counting implements Source {
    private final int n;
    private final int failAt;
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicBoolean readAfterClose = new AtomicBoolean();

    Counting(int n, int failAt) {
      this.n = n;
      this.failAt = failAt;
    }

    @Override
    public Schema schema() {
      return SCHEMA;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return List.of(Window.full());
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      return new RecordReader() {
        int at;

        @Override
        public SourceRecord next() {
          if (closed.get()) {
            readAfterClose.set(true);
          }
          if (at == n) {
            return null;
          }
          at++;
          if (at == failAt) {
            throw new DataException("list:" + at + ": cannot parse");
          }
          return new SourceRecord(new Object[] {(long) at}, "list:" + at);
        }

        @Override
        public void close() {
          closed.set(true);
        }
      };
    }

    @Override
    public boolean readsOnAnyThread() {
      return true;
    }

    @Override
    public String describe() {
      return "counting " + n;
    }
  }

  /** Records 1..n; the {@code driftAt}-th shows an undeclared column (a drift freeze refuses). */
  private static final class Drifting implements Source, ObservesSchema {
    private final int n;
    private final int driftAt;

    Drifting(int n, int driftAt) {
      this.n = n;
      this.driftAt = driftAt;
    }

    @Override
    public Schema schema() {
      return SCHEMA;
    }

    @Override
    public List<Window> windows(WindowSpec spec) {
      return List.of(Window.full());
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window) {
      throw new UnsupportedOperationException("read observing the schema");
    }

    @Override
    public RecordReader read(WindowSpec spec, Window window, ObservedSchema observed) {
      observed.unit();
      observed.present(0);
      return new RecordReader() {
        int at;

        @Override
        public SourceRecord next() {
          if (at == n) {
            return null;
          }
          at++;
          if (at == driftAt) {
            observed.add("extra", "list:" + at);
          }
          return new SourceRecord(new Object[] {(long) at}, "list:" + at);
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean readsOnAnyThread() {
      return true;
    }

    @Override
    public String describe() {
      return "drifting " + n;
    }
  }

  private static Pipeline pipeline(Source source) {
    Pipeline.Builder b =
        Pipeline.builder("ahead")
            .source(source)
            .windows(WindowSpec.full())
            .table("ahead")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE);
    if (source instanceof ObservesSchema) {
      b.schemaDrift(DriftPolicy.FREEZE);
    }
    return b.build();
  }

  /** What the loop sees: each record's position, then the failure's message if any. */
  private static List<String> loop(Source source, boolean ahead) throws IOException {
    Pipeline p = pipeline(source);
    List<String> seen = new ArrayList<>();
    try (SchemaWatch schema = SchemaWatch.open(p, Window.full(), Optional.empty());
        WindowRecords records =
            ahead ? WindowRecords.ahead(schema, "test-read") : WindowRecords.inLine(schema)) {
      while (true) {
        SourceRecord r = records.next();
        if (r == null) {
          break;
        }
        records.check();
        seen.add(r.position());
      }
    } catch (DataException e) {
      seen.add("failed: " + e.getMessage());
    }
    return seen;
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1, 0",
    "1023, 0",
    "1024, 0",
    "1025, 0",
    "5000, 0",
    "1, 1",
    "3000, 1",
    "3000, 1024",
    "3000, 1025",
    "3000, 2049",
    "3000, 3000"
  })
  void readAheadSeesWhatTheLoopSees(int n, int failAt) throws IOException {
    List<String> inLine = loop(new Counting(n, failAt), false);
    List<String> ahead = loop(new Counting(n, failAt), true);
    assertThat(ahead).isEqualTo(inLine);
    assertThat(inLine).hasSize(failAt == 0 ? n : failAt);
    if (failAt > 0) {
      assertThat(inLine.get(failAt - 1)).isEqualTo("failed: list:" + failAt + ": cannot parse");
    }
  }

  @ParameterizedTest
  @CsvSource({"3000, 1", "3000, 1024", "3000, 1025", "3000, 3000"})
  void aDriftIsThrownAtTheRecordThatShowedIt(int n, int driftAt) throws IOException {
    List<String> inLine = loop(new Drifting(n, driftAt), false);
    List<String> ahead = loop(new Drifting(n, driftAt), true);
    assertThat(ahead).isEqualTo(inLine);
    assertThat(inLine).hasSize(driftAt);
    assertThat(inLine.get(driftAt - 1)).startsWith("failed: ").contains("schema drift");
  }

  @Test
  void closingMidWayStopsTheReaderBeforeItCloses() throws IOException {
    Counting source = new Counting(200_000, 0);
    Pipeline p = pipeline(source);
    try (SchemaWatch schema = SchemaWatch.open(p, Window.full(), Optional.empty());
        WindowRecords records = WindowRecords.ahead(schema, "test-read")) {
      for (int i = 0; i < 10; i++) {
        assertThat(records.next().position()).isEqualTo("list:" + (i + 1));
      }
    }
    assertThat(source.closed.get()).isTrue();
    assertThat(source.readAfterClose.get()).isFalse();
  }
}
