package dev.idem.spark;

import dev.idem.schema.ValueCodec;
import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's records as one byte array, the form they travel to the driver in. Spark sends a task's
 * result with Java serialization, which for a window's records (an object graph of a hundred
 * thousand arrays, strings and decimals) took almost half of a Spark run's CPU in a profile,
 * writing on the executors and reading on the driver; one array of bytes is a single object to it.
 *
 * <p>Each record: its values ({@link ValueCodec}), its position, raw input, problem and bad values.
 * Decoding gives back equal values of the same classes ({@code RecordCodecTest}).
 */
final class RecordCodec {
  private RecordCodec() {}

  /** Writes records into one array. */
  static final class Writer {
    private final ValueCodec.Writer out = new ValueCodec.Writer();
    private int count;
    private int folded;

    void add(SourceRecord r) {
      folded += r.isFolded() ? 1 : 0;
      out.row(r.values());
      out.string(r.position());
      out.string(r.raw());
      out.string(r.problem());
      out.integer(r.badValues().size());
      for (BadValue b : r.badValues()) {
        out.string(b.column());
        out.string(b.raw());
        out.string(b.reason());
      }
      count++;
    }

    int count() {
      return count;
    }

    /** How many of the records are {@linkplain SourceRecord#folded folded}. */
    int folded() {
      return folded;
    }

    byte[] bytes() {
      return out.bytes();
    }
  }

  /** Reads the records of an array, in the order they were added. */
  static final class Reader {
    private final ValueCodec.Reader in;
    private int left;

    Reader(byte[] bytes, int count) {
      this.in = new ValueCodec.Reader(bytes);
      this.left = count;
    }

    boolean hasNext() {
      return left > 0;
    }

    SourceRecord next() {
      left--;
      Object[] values = in.row();
      String position = in.string();
      String raw = in.string();
      String problem = in.string();
      int bad = in.integer();
      List<BadValue> badValues = new ArrayList<>(bad);
      for (int i = 0; i < bad; i++) {
        badValues.add(new BadValue(in.string(), in.string(), in.string()));
      }
      return new SourceRecord(values, position, raw, problem, badValues);
    }
  }
}
