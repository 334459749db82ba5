package dev.idem.spark;

import dev.idem.schema.ValueCodec;
import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;

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

    /** Which records are folded. */
    private final BitSet folded = new BitSet();

    /** Where each record starts in the bytes. */
    private int[] starts = new int[1024];

    void add(SourceRecord r) {
      start();
      folded.set(count, r.isFolded());
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

    private void start() {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count] = out.size();
    }

    /**
     * These records with some replaced: {@code replacement} gives the record written in place of
     * the i-th (from 0), or null to keep it; a kept record's bytes are copied, not decoded.
     */
    Writer replacing(IntFunction<SourceRecord> replacement) {
      Writer w = new Writer();
      for (int i = 0; i < count; i++) {
        SourceRecord r = replacement.apply(i);
        if (r != null) {
          w.add(r);
        } else {
          w.start();
          w.out.copy(out, starts[i], end(i));
          w.folded.set(w.count, folded.get(i));
          w.count++;
        }
      }
      return w;
    }

    /** The {@code i}-th record written (from 0), read again from its bytes. */
    SourceRecord record(int i) {
      return new Reader(out.reader(starts[i], end(i)), 1).next();
    }

    /** Where the {@code i}-th record's bytes end. */
    private int end(int i) {
      return i + 1 < count ? starts[i + 1] : out.size();
    }

    int count() {
      return count;
    }

    /** How many of the records are {@linkplain SourceRecord#folded folded}. */
    int folded() {
      return folded.cardinality();
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
      this(new ValueCodec.Reader(bytes), count);
    }

    private Reader(ValueCodec.Reader in, int count) {
      this.in = in;
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
