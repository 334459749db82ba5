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

  /** An entry of the bytes: a record. */
  private static final int RECORD = 0;

  /** An entry of the bytes: a run of {@linkplain #plain plain} folded records, and its length. */
  private static final int FOLDED_RUN = 1;

  /** An entry of the bytes: a run of plain records staged elsewhere, and its length. */
  private static final int ELSEWHERE_RUN = 2;

  private static final SourceRecord FOLDED = SourceRecord.folded(null, List.of());
  private static final SourceRecord ELSEWHERE = SourceRecord.stagedElsewhere(null, List.of());

  /**
   * Whether {@code r} stands for a record without anything of its own (folded, or staged elsewhere,
   * naming no position and no nulled value): such records in a row are written as their count, a
   * few bytes for any number of them.
   */
  private static int plain(SourceRecord r) {
    if (r.position() != null || !r.badValues().isEmpty()) {
      return RECORD;
    }
    return r.isFolded() ? FOLDED_RUN : r.isStagedElsewhere() ? ELSEWHERE_RUN : RECORD;
  }

  /** Writes records into one array. */
  static final class Writer {
    private final ValueCodec.Writer out = new ValueCodec.Writer();
    private int count;

    /** Which records are folded. */
    private final BitSet folded = new BitSet();

    /** Where each record starts in the bytes; not kept when plain records run together. */
    private int[] starts = new int[1024];

    /**
     * Whether plain records in a row are written as their count ({@link #plain}): then a record is
     * not read again in place ({@link #record}, {@link #replacing}).
     */
    private final boolean runs;

    /** The kind of the last entry when it is a run, and where its count is; else 0. */
    private int runKind;

    private int runLength;

    Writer() {
      this(false);
    }

    private Writer(boolean runs) {
      this.runs = runs;
    }

    void add(SourceRecord r) {
      int kind = runs ? plain(r) : RECORD;
      if (kind != RECORD) {
        folded.set(count, kind == FOLDED_RUN);
        count++;
        if (runKind == kind) {
          runLength++;
          return;
        }
        endRun();
        runKind = kind;
        runLength = 1;
        return;
      }
      endRun();
      start();
      folded.set(count, r.isFolded());
      out.integer(RECORD);
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

    /** Writes the run in progress, if any, as its kind and its length. */
    private void endRun() {
      if (runKind != RECORD) {
        out.integer(runKind);
        out.integer(runLength);
        runKind = RECORD;
      }
    }

    private void start() {
      if (runs) {
        return;
      }
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
      }
      starts[count] = out.size();
    }

    /**
     * These records with some replaced: {@code replacement} gives the record written in place of
     * the i-th (from 0), or null to keep it; a kept record's bytes are copied, not decoded. Plain
     * replacements in a row are written as their count ({@link #plain}).
     */
    Writer replacing(IntFunction<SourceRecord> replacement) {
      inPlace();
      Writer w = new Writer(true);
      for (int i = 0; i < count; i++) {
        SourceRecord r = replacement.apply(i);
        if (r != null) {
          w.add(r);
        } else {
          w.endRun();
          w.out.copy(out, starts[i], end(i));
          w.folded.set(w.count, folded.get(i));
          w.count++;
        }
      }
      return w;
    }

    /** The {@code i}-th record written (from 0), read again from its bytes. */
    SourceRecord record(int i) {
      inPlace();
      return new Reader(out.reader(starts[i], end(i)), 1).next();
    }

    private void inPlace() {
      if (runs) {
        throw new IllegalStateException("records written as runs are not read again in place");
      }
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
      endRun();
      return out.bytes();
    }
  }

  /** Reads the records of an array, in the order they were added. */
  static final class Reader {
    private final ValueCodec.Reader in;
    private int left;

    /** The record a run in progress stands for, and how many of it are left. */
    private SourceRecord run;

    private int runLeft;

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
      if (runLeft == 0) {
        int kind = in.integer();
        if (kind != RECORD) {
          run = kind == FOLDED_RUN ? FOLDED : ELSEWHERE;
          runLeft = in.integer();
        }
      }
      if (runLeft > 0) {
        runLeft--;
        return run;
      }
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
