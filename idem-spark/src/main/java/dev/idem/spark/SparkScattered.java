package dev.idem.spark;

import dev.idem.TransientException;
import dev.idem.context.Workers;
import dev.idem.schema.ValueCodec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A window's rows kept where its reading tasks ran ({@link FileTask#readKeeping}): one Spark
 * partition a task, persisted by Spark ({@link SparkWorkers#runKeeping}), each holding its part's
 * staged rows with the number of the record each was staged from. A row's place in the window is
 * its part's number and that record number ({@link #place}), so places follow the order the JVM
 * runner reads the window in (files by path, records by line). Planned where they are: a Spark
 * shuffle brings each slice's rows together, sorted by place ({@link #bySlice}, {@link
 * SparkWorkers#runOnSlices}). Closing unpersists them.
 */
final class SparkScattered implements Workers.Scattered {
  private static final Logger LOG = LoggerFactory.getLogger(SparkScattered.class);

  /** The most parts (a place's first 20 of its 48 bits are its part). */
  static final int MOST_PARTS = 1 << 20;

  /** The most records of a part (a place's last 28 bits). */
  static final int MOST_RECORDS = 1 << 28;

  private final JavaRDD<byte[]> kept;
  private final long rows;
  private final List<Workers.Sampled> sample;

  /** Each part's rows' SHA-256, as its task first made them. */
  private final ArrayList<byte[]> digests;

  private boolean closed;

  SparkScattered(JavaRDD<byte[]> kept, List<KeptRows.Told> told) {
    this.kept = kept;
    long n = 0;
    List<Workers.Sampled> s = new ArrayList<>();
    this.digests = new ArrayList<>(told.size());
    for (KeptRows.Told t : told) {
      n += t.count();
      // each of a part's sampled rows stands for an even share of the part's rows
      long weight = t.sample().isEmpty() ? 0 : Math.max(1, t.count() / t.sample().size());
      for (Object[] row : t.sample()) {
        s.add(new Workers.Sampled(row, weight));
      }
      digests.add(t.digest());
    }
    this.rows = n;
    this.sample = List.copyOf(s);
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public List<Workers.Sampled> sample() {
    return sample;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      kept.unpersist(false);
    } catch (RuntimeException e) { // a stopped context keeps nothing to free
      LOG.warn(
          "could not unpersist a window's kept rows (Spark RDD {}): {}", kept.id(), e.toString());
    }
  }

  /** A row's place: its part's number, then the number of the record it was staged from. */
  static long place(int part, int record) {
    if (part >= MOST_PARTS || record >= MOST_RECORDS) {
      throw new IllegalStateException(
          "part " + part + " or its record " + record + " past the most a place holds");
    }
    return ((long) part << 28) | record;
  }

  /**
   * The shuffle key of a row of {@code slice} (at most {@link Workers#MOST_SLICES}: 15 bits) at
   * {@code place}: sorted by slice, then place.
   */
  static long key(int slice, long place) {
    return ((long) slice << 48) | place;
  }

  static int sliceOf(long key) {
    return (int) (key >>> 48);
  }

  static long placeOf(long key) {
    return key & ((1L << 48) - 1);
  }

  /**
   * Each kept row by its shuffle key ({@link #key}: its slice by {@code slicing}, its place), the
   * row encoded by itself. A part Spark made again (its kept output lost with an executor: its task
   * read its file again) whose rows are not the ones first read fails the job, transiently: the
   * input changed since the window read it.
   */
  JavaPairRDD<Long, byte[]> bySlice(Workers.Slicing slicing) {
    ArrayList<byte[]> expected = digests;
    return kept.mapPartitionsWithIndex(
            (part, parts) -> {
              // a partition a reading task (parallelized a task a partition)
              KeptRows k = (KeptRows) JavaBytes.read(parts.next());
              if (!Arrays.equals(sha256(k.rows()), expected.get(part))) {
                throw new TransientException(
                    "the input of a window's part "
                        + part
                        + " ("
                        + k.records().file()
                        + ") changed since the window read it",
                    null);
              }
              return keyed(part, k, slicing);
            },
            false)
        .mapToPair(t -> t);
  }

  /** A part's rows by shuffle key, decoded one at a time. */
  private static Iterator<Tuple2<Long, byte[]>> keyed(
      int part, KeptRows k, Workers.Slicing slicing) {
    ValueCodec.Reader in = new ValueCodec.Reader(k.rows());
    return new Iterator<>() {
      private int left = k.count();

      @Override
      public boolean hasNext() {
        return left > 0;
      }

      @Override
      public Tuple2<Long, byte[]> next() {
        if (left == 0) {
          throw new NoSuchElementException();
        }
        left--;
        int record = in.integer();
        Object[] row = in.row();
        ValueCodec.Writer out = new ValueCodec.Writer(256);
        out.row(row);
        return new Tuple2<>(key(slicing.slice(row), place(part, record)), out.bytes());
      }
    };
  }

  /** A slice's rows as its shuffle brings them, sorted by place; read once. */
  static Workers.SliceRows rowsOf(Iterator<Tuple2<Long, byte[]>> slice) {
    boolean[] read = {false};
    return each -> {
      if (read[0]) {
        throw new IllegalStateException("a slice's shuffled rows are read once");
      }
      read[0] = true;
      while (slice.hasNext()) {
        Tuple2<Long, byte[]> r = slice.next();
        each.accept(placeOf(r._1()), new ValueCodec.Reader(r._2()).row());
      }
    };
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
