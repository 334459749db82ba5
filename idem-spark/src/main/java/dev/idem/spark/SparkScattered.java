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
import java.util.Map;
import java.util.TreeMap;
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
   * Each part's kept rows by slice ({@code slicing}): a blob of the part's rows of a slice (each
   * its record's number and its values, in record order) by the shuffle key of its slice and its
   * part's first place ({@link #key}), so that a slice's blobs sorted by key are its rows in place
   * order, and the shuffle moves a few arrays a part, not a record a row. A part Spark made again
   * (its kept output lost with an executor: its task read its file again) whose rows are not the
   * ones first read fails the job, transiently: the input changed since the window read it.
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
              return bySlice(part, k, slicing).iterator();
            },
            false)
        .mapToPair(t -> t);
  }

  /** A part's rows, a blob a slice that has any, by shuffle key. */
  private static List<Tuple2<Long, byte[]>> bySlice(int part, KeptRows k, Workers.Slicing slicing) {
    ValueCodec.Reader in = new ValueCodec.Reader(k.rows());
    Map<Integer, ValueCodec.Writer> slices = new TreeMap<>();
    for (int i = 0; i < k.count(); i++) {
      int from = in.offset();
      in.integer(); // the record's number
      Object[] row = in.row();
      slices
          .computeIfAbsent(slicing.slice(row), s -> new ValueCodec.Writer(1024))
          .copy(k.rows(), from, in.offset());
    }
    List<Tuple2<Long, byte[]>> out = new ArrayList<>(slices.size());
    slices.forEach((s, w) -> out.add(new Tuple2<>(key(s, place(part, 0)), w.bytes())));
    return out;
  }

  /** A slice's rows as its shuffle brings them, its parts' blobs in part order; read once. */
  static Workers.SliceRows rowsOf(Iterator<Tuple2<Long, byte[]>> slice) {
    boolean[] read = {false};
    return each -> {
      if (read[0]) {
        throw new IllegalStateException("a slice's shuffled rows are read once");
      }
      read[0] = true;
      while (slice.hasNext()) {
        Tuple2<Long, byte[]> blob = slice.next();
        long first = placeOf(blob._1());
        byte[] bytes = blob._2();
        ValueCodec.Reader in = new ValueCodec.Reader(bytes);
        while (in.offset() < bytes.length) {
          int record = in.integer();
          each.accept(first + record, in.row());
        }
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
