package dev.idem.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
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

  private static Pipeline pipeline(Source source) {
    return Pipeline.builder("ahead")
        .source(source)
        .windows(WindowSpec.full())
        .table("ahead")
        .key(KeySpec.columns("id"))
        .strategy(WriteStrategy.MERGE)
        .build();
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
