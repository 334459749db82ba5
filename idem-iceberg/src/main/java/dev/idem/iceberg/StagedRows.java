package dev.idem.iceberg;

import dev.idem.schema.ValueCodec;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window's staged rows, in the order they came: held in memory up to a number of rows; past that,
 * with a key, every row written to files on local disk, one per bucket of the keys (a key's bucket
 * is the hash of its text, {@link #bucket}), and read back a slice of buckets at a time, as many
 * slices as it takes for each to hold about as many rows as memory did (at most one per bucket), so
 * that a window's plan holds one slice's rows and winners at a time, not the whole window's ({@link
 * WindowPlan}). Each row keeps its place in the window (its arrival number): a slice's rows are
 * read back in that order. The files are deleted when the rows are closed; those a process killed
 * left behind are deleted by the next process that spills.
 */
final class StagedRows implements AutoCloseable {
  /** System property: rows a window holds in memory before it spills ({@link #of}). */
  static final String MEMORY_ROWS = "idem.window.memory.rows";

  /**
   * System property: the buckets of keys a spilled window's rows are written in, the most slices it
   * is read in.
   */
  static final String SLICES = "idem.window.slices";

  private static final Logger LOG = LoggerFactory.getLogger(StagedRows.class);
  private static final String PREFIX = "idem-staged-";
  private static final Pattern SPILLED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{1,18})-.*");

  /** Windows whose rows spilled since the process started. */
  static final AtomicLong SPILLS = new AtomicLong();

  /**
   * Bytes of a bucket's rows encoded in memory before they are written to its file: 64 buckets hold
   * some 8 MB at most (a writer's array doubles past its first 64 KiB).
   */
  private static final int CHUNK = 1 << 16;

  private final Function<Object[], String> key;
  private final int memoryRows;
  private final int buckets;
  private final Path tmp;
  private List<Object[]> memory = new ArrayList<>();
  private Path dir;
  private ValueCodec.Writer[] pending;
  private int[] pendingRows;
  private boolean finished;
  private long count;

  /** Once spilled and read: the slices the buckets are read in. */
  private int slices;

  /**
   * Rows keyed by {@code key} (the text of a staged row's key; null: the rows have none and are
   * never spilled), held in memory up to {@code memoryRows} rows, spilled in {@code buckets} files
   * under {@code tmp}.
   */
  StagedRows(Function<Object[], String> key, int memoryRows, int buckets, Path tmp) {
    if (memoryRows < 0 || buckets < 1) {
      throw new IllegalArgumentException(
          "-D" + MEMORY_ROWS + " must be 0 or more and -D" + SLICES + " 1 or more");
    }
    this.key = key;
    this.memoryRows = memoryRows;
    this.buckets = buckets;
    this.tmp = tmp;
  }

  /**
   * Rows keyed by {@code key}, held in memory up to the system property {@value #MEMORY_ROWS} rows
   * (else 1,000,000, some 330 MB of four short columns), then spilled in {@value #SLICES} buckets
   * (else 64) under {@code java.io.tmpdir}.
   */
  static StagedRows of(Function<Object[], String> key) {
    return new StagedRows(
        key,
        Integer.getInteger(MEMORY_ROWS, 1_000_000),
        Integer.getInteger(SLICES, 64),
        Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** The bucket, of {@code buckets}, of a key by its text: the same for equal texts. */
  static int bucket(String keyText, int buckets) {
    return Math.floorMod(keyText.hashCode(), buckets);
  }

  /** Takes the next row; its values are copied (the caller may reuse the array). */
  void add(Object[] row) {
    if (finished) {
      throw new IllegalStateException("the window's rows were read already");
    }
    long at = count++;
    if (dir == null) {
      memory.add(row.clone());
      if (key != null && memory.size() > memoryRows) {
        spill();
      }
    } else {
      write(at, row);
    }
  }

  /** How many rows were staged. */
  long size() {
    return count;
  }

  /**
   * How many slices the rows are read in: 1 unless they were spilled; else enough for each to hold
   * about the rows held in memory, at most one a bucket (a slice is the buckets whose number, in
   * {@code slices}, leaves its own).
   */
  int slices() {
    if (dir == null) {
      return 1;
    }
    finish();
    return slices;
  }

  /** Whether the rows went to files. */
  boolean spilled() {
    return dir != null;
  }

  /** The rows, when they were not spilled (a window without a key never is). */
  List<Object[]> inMemory() {
    if (dir != null) {
      throw new IllegalStateException("the window's rows were spilled");
    }
    return memory;
  }

  /** A row and its place in the window. */
  @FunctionalInterface
  interface RowAt {
    void accept(long at, Object[] row);
  }

  /** The rows of slice {@code s} (of {@link #slices}), in the order they came. */
  void forEach(int s, RowAt each) {
    if (dir == null) {
      for (int i = 0; i < memory.size(); i++) {
        each.accept(i, memory.get(i));
      }
      return;
    }
    finish();
    // the slice's buckets, each in the order its rows came, merged by their places
    PriorityQueue<Bucket> next = new PriorityQueue<>(Comparator.comparingLong(Bucket::at));
    try {
      for (int b = s; b < buckets; b += slices) {
        if (!Files.exists(file(b))) {
          continue; // no row's key fell in it
        }
        Bucket bucket = new Bucket(file(b));
        if (advanced(bucket)) {
          next.add(bucket);
        }
      }
      while (!next.isEmpty()) {
        Bucket first = next.peek();
        each.accept(first.at(), first.row());
        next.poll();
        if (advanced(first)) {
          next.add(first);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the window's spilled rows in " + dir, e);
    } finally {
      for (Bucket b : next) {
        b.closeQuietly();
      }
    }
  }

  /** Moves a bucket to its next row; closes it when it has none, or reading fails. */
  private static boolean advanced(Bucket b) throws IOException {
    boolean more;
    try {
      more = b.advance();
    } catch (IOException | RuntimeException e) {
      b.closeQuietly();
      throw e;
    }
    if (!more) {
      b.close();
    }
    return more;
  }

  /** A bucket's file read a row at a time. */
  private static final class Bucket implements AutoCloseable {
    private final DataInputStream in;
    private ValueCodec.Reader chunk;
    private int left;
    private long at;
    private Object[] row;

    Bucket(Path file) throws IOException {
      in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /** Moves to the next row; false at the end. */
    boolean advance() throws IOException {
      if (left == 0) {
        try {
          left = in.readInt();
        } catch (EOFException e) {
          return false;
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        chunk = new ValueCodec.Reader(bytes);
      }
      left--;
      at = (Long) chunk.value();
      row = chunk.row();
      return true;
    }

    long at() {
      return at;
    }

    Object[] row() {
      return row;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }

    void closeQuietly() {
      try {
        in.close();
      } catch (IOException e) {
        // the rows were read, or reading failed already
      }
    }
  }

  private Path file(int b) {
    return dir.resolve(b + ".rows");
  }

  private void spill() {
    SPILLS.incrementAndGet();
    sweep(tmp);
    try {
      dir = Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("spilling the window's rows under " + tmp, e);
    }
    pending = new ValueCodec.Writer[buckets];
    pendingRows = new int[buckets];
    for (int i = 0; i < memory.size(); i++) {
      write(i, memory.get(i));
    }
    memory = null;
  }

  private void write(long at, Object[] row) {
    int s = bucket(key.apply(row), buckets);
    if (pending[s] == null) {
      pending[s] = new ValueCodec.Writer(CHUNK);
    }
    pending[s].value(at);
    pending[s].row(row);
    pendingRows[s]++;
    if (pending[s].size() >= CHUNK) {
      flush(s);
    }
  }

  /**
   * Appends bucket {@code s}'s encoded rows to its file: their count, length and bytes (a file is
   * open only while it is written, so a spilled window holds no file open).
   */
  private void flush(int s) {
    try (DataOutputStream out =
        new DataOutputStream(
            Files.newOutputStream(file(s), StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
      out.writeInt(pendingRows[s]);
      out.writeInt(pending[s].size());
      out.write(pending[s].bytes(), 0, pending[s].size());
    } catch (IOException e) {
      throw new UncheckedIOException("spilling the window's rows in " + dir, e);
    }
    pending[s] = null;
    pendingRows[s] = 0;
  }

  /** Writes what is left and counts the slices: the rows are read from here on. */
  private void finish() {
    if (finished) {
      return;
    }
    for (int s = 0; s < buckets; s++) {
      if (pending[s] != null) {
        flush(s);
      }
    }
    long perSlice = Math.max(1, memoryRows);
    slices = (int) Math.min(buckets, (count + perSlice - 1) / perSlice);
    finished = true;
  }

  /**
   * Deletes the spilled rows; a folder that cannot be deleted is logged (the window's outcome does
   * not depend on it), and deleted by a later process's sweep.
   */
  @Override
  public void close() {
    finished = true;
    if (dir != null) {
      try {
        delete(dir);
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("could not delete the window's spilled rows in {}: {}", dir, e.toString());
      }
    }
  }

  /**
   * Deletes the folders of spilled rows under {@code tmp} of processes that are gone (killed while
   * a window spilled), as far as it can: a folder it cannot list or delete (another user's, one
   * another window of this process deletes at the same time) is left.
   */
  private static void sweep(Path tmp) {
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tmp, PREFIX + "*")) {
      for (Path p : all) {
        Matcher m = SPILLED.matcher(p.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
          try {
            delete(p);
          } catch (IOException | UncheckedIOException e) {
            LOG.debug("left {}: {}", p, e.toString());
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("no sweep of {}: {}", tmp, e.toString());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
