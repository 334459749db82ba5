package dev.idem.iceberg;

import dev.idem.context.Workers;
import dev.idem.schema.ValueCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window's staged rows: held in memory up to a number of rows; past that, written to files on
 * local disk in runs (each the rows memory held: with a key, sorted by it, a key's rows in the
 * order they came; without one, in the order they came) and read back a slice at a time, as many
 * slices as it takes for each to hold about as many rows as memory did, so that a window's plan
 * holds one slice's rows and winners at a time, not the whole window's ({@link WindowPlan}). With a
 * key, a slice is a range of keys: its keys' rows in the table are found in the files whose column
 * statistics cover the range, and the new rows it writes cover that range only; its rows come by
 * key, each key's in the order they came. Without a key, a slice is the next rows in the order they
 * came. Each row keeps its place in the window (its arrival number). The files are deleted when the
 * rows are closed; those a process killed left behind are deleted by the next process that spills.
 * Rows held in memory are one slice, in the order they came, unless several slices are read at once
 * ({@link #slices(int, int)}: workers planning them side by side): then, with a key, they are
 * sorted by it and cut into ranges of keys too.
 */
final class StagedRows implements AutoCloseable {
  /** System property: rows a window holds in memory before it spills ({@link #of}). */
  static final String MEMORY_ROWS = "idem.window.memory.rows";

  /** System property: the most slices a spilled window is read in ({@link #of}). */
  static final String SLICES = "idem.window.slices";

  /** The most slices by default. */
  private static final int DEFAULT_SLICES = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(StagedRows.class);
  private static final String PREFIX = "idem-staged-";
  private static final Pattern SPILLED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{1,18})-.*");

  /** Windows whose rows spilled since the process started. */
  static final AtomicLong SPILLS = new AtomicLong();

  /** Bytes of a run's rows encoded in memory before they are written to its file. */
  private static final int CHUNK = 1 << 16;

  /** The most runs read at once: past it, runs are first merged into longer ones. */
  private static final int FAN_IN = 64;

  private final Comparator<Object[]> keyOrder;
  private final int memoryRows;
  private final int maxSlices;

  /** How many slices are read at a time ({@link #slices(int, int)}), once they are counted. */
  private int atOnce = 1;

  private final int fanIn;
  private final Path tmp;
  private List<Object[]> memory = new ArrayList<>();

  /** The place in the window of the first row {@link #memory} holds. */
  private long memoryFrom;

  private Path dir;
  private final List<Path> runs = new ArrayList<>();
  private boolean finished;
  private long count;

  /** Once spilled and read: the slices the runs are read in. */
  private int slices;

  /** Why the spilled rows cannot be read, once writing or merging them failed. */
  private RuntimeException failed;

  /**
   * Where each slice starts in each run (once known: the slices are cut as they are first read),
   * two numbers a run: its chunk's offset in the file and the row's index in the chunk, or -1 for a
   * run whose rows all came before; and last, the rows of the slices before.
   */
  private final List<long[]> starts = new ArrayList<>();

  /**
   * Rows ordered by their key with {@code keyOrder} (null: the rows have none; rows of equal keys
   * must compare equal), held in memory up to {@code memoryRows} rows, spilled under {@code tmp}
   * and read in at most {@code maxSlices} slices, at most {@code fanIn} runs read at once.
   */
  StagedRows(Comparator<Object[]> keyOrder, int memoryRows, int maxSlices, int fanIn, Path tmp) {
    if (memoryRows < 0 || maxSlices < 1 || fanIn < 2) {
      throw new IllegalArgumentException(
          "-D" + MEMORY_ROWS + " must be 0 or more and -D" + SLICES + " 1 or more");
    }
    this.keyOrder = keyOrder;
    this.memoryRows = memoryRows;
    this.maxSlices = maxSlices;
    this.fanIn = fanIn;
    this.tmp = tmp;
  }

  /**
   * Rows ordered by {@code keyOrder}, held in memory up to the system property {@value
   * #MEMORY_ROWS} rows (else 1,000,000, some 330 MB of four short columns), then spilled under
   * {@code java.io.tmpdir} and read in at most {@value #SLICES} slices (else {@value
   * #DEFAULT_SLICES}: a slice costs a read of every run's file and a kilobyte held).
   */
  static StagedRows of(Comparator<Object[]> keyOrder) {
    return new StagedRows(
        keyOrder,
        Integer.getInteger(MEMORY_ROWS, 1_000_000),
        maxSlices(),
        FAN_IN,
        Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** The most slices a window's rows are read in: {@value #SLICES}, else 4,096. */
  static int maxSlices() {
    return Integer.getInteger(SLICES, DEFAULT_SLICES);
  }

  /** Takes the next row; its values are copied (the caller may reuse the array). */
  void add(Object[] row) {
    if (finished) {
      throw new IllegalStateException("the window's rows were read already");
    }
    count++;
    memory.add(row.clone());
    held = null; // cut again, with this row, when the slices are counted again
    heldOrder = null;
    if (memory.size() > memoryRows) {
      if (dir == null) {
        spill();
      }
      writeRun();
    }
  }

  /** How many rows are held in memory before they spill. */
  int memoryRows() {
    return memoryRows;
  }

  /** How many rows were staged. */
  long size() {
    return count;
  }

  /**
   * How many slices the rows are read in: 1 unless they were spilled; else enough for each to hold
   * about the rows held in memory (a key's rows are never cut apart, so a slice may hold more, and
   * the last ones none).
   */
  int slices() {
    return slices(1, Integer.MAX_VALUE);
  }

  /**
   * How many slices the rows are read in when {@code atOnce} slices are read at a time (planned by
   * workers at once, in one heap on a {@code local} master): spilled, as {@link #slices()}, each
   * holding about the rows held in memory divided by {@code atOnce}; held in memory, with a key,
   * cut by key into up to {@code atOnce} slices of {@code leastRows} rows at the least (the workers
   * plan them side by side), else 1. The first call decides; later ones get the same slices (held
   * rows: until a row is added).
   */
  int slices(int atOnce, int leastRows) {
    if (dir == null) {
      if (held == null) {
        held = cutHeld(atOnce, leastRows);
      }
      return held.length - 1;
    }
    if (!finished) {
      this.atOnce = Math.max(1, atOnce);
    }
    finish();
    return slices;
  }

  /**
   * Rows held in memory, once their slices are decided: the first row of each slice in {@link
   * #heldOrder}, and the rows' count last.
   */
  private int[] held;

  /** The rows held, as their places in {@link #memory} sorted by key: once cut into slices. */
  private int[] heldOrder;

  /**
   * The rows held cut into slices: each slice's first place in {@link #heldOrder}, then the rows'
   * count; one slice of all of them, in the order they came, unless they are keyed and at least
   * {@code 2 * leastRows}. A slice ends at the first key after its share, as a spilled one does.
   */
  private int[] cutHeld(int atOnce, int leastRows) {
    int n = memory.size();
    int slices =
        keyOrder == null ? 1 : Math.min(maxSlices, Math.min(atOnce, n / Math.max(1, leastRows)));
    if (slices < 2) {
      return new int[] {0, n};
    }
    Integer[] sorted = sortedByKey();
    heldOrder = new int[n];
    Arrays.setAll(heldOrder, i -> sorted[i]);
    int[] cuts = new int[slices + 1];
    cuts[slices] = n;
    for (int s = 1; s < slices; s++) {
      int at = Math.max(cuts[s - 1], (int) ((long) n * s / slices));
      while (at > 0
          && at < n
          && sameKey(memory.get(heldOrder[at - 1]), memory.get(heldOrder[at]))) {
        at++;
      }
      cuts[s] = at;
    }
    return cuts;
  }

  /**
   * The places of the rows {@link #memory} holds sorted by key, a key's rows in the order they came
   * (without a key, in the order they came).
   */
  private Integer[] sortedByKey() {
    Integer[] sorted = new Integer[memory.size()];
    Arrays.setAll(sorted, i -> i);
    if (keyOrder != null) {
      Arrays.sort(sorted, (a, b) -> keyOrder.compare(memory.get(a), memory.get(b)));
    }
    return sorted;
  }

  /** Whether the rows went to files. */
  boolean spilled() {
    return dir != null;
  }

  /**
   * The rows of slice {@code s} (of {@link #slices}): held in one slice, all in the order they
   * came; spilled, or held and cut into slices, by key, a key's rows in the order they came.
   */
  void forEach(int s, Workers.RowAt each) {
    if (dir == null) {
      if (heldOrder == null) {
        for (int i = 0; i < memory.size(); i++) {
          each.accept(i, memory.get(i));
        }
        return;
      }
      if (s < 0 || s >= held.length - 1) {
        throw new IllegalArgumentException("slice " + s + " of " + (held.length - 1));
      }
      for (int i = held[s]; i < held[s + 1]; i++) {
        each.accept(heldOrder[i], memory.get(heldOrder[i]));
      }
      return;
    }
    finish();
    if (s < 0 || s >= slices) {
      throw new IllegalArgumentException("slice " + s + " of " + slices);
    }
    while (starts.size() <= s) { // where slice s starts is known once the ones before were read
      read(starts.size() - 1, (at, row) -> {});
    }
    read(s, each);
  }

  /** Reads slice {@code s}, whose start is known, and remembers where the next one starts. */
  private void read(int s, Workers.RowAt each) {
    long[] from = starts.get(s);
    try (Merged merged = new Merged()) {
      for (int r = 0; r < runs.size(); r++) {
        if (from[2 * r] >= 0) {
          merged.add(runs.get(r), r, from[2 * r], (int) from[2 * r + 1]);
        }
      }
      // the slice ends at the first key after its share of the window's rows (the last: at the end)
      // (a slice after a key of many rows may hold none)
      long end = s == slices - 1 ? Long.MAX_VALUE : count * (s + 1) / slices;
      long read = from[2 * runs.size()];
      Object[] last = null;
      for (Run first; (first = merged.peek()) != null; merged.pop()) {
        if (read >= end && (last == null || !sameKey(last, first.row()))) {
          break;
        }
        last = first.row();
        each.accept(first.at(), last);
        read++;
      }
      if (starts.size() == s + 1 && s + 1 < slices) {
        long[] to = new long[2 * runs.size() + 1];
        Arrays.fill(to, -1);
        for (Run r : merged.left()) {
          to[2 * r.id] = r.chunkStart;
          to[2 * r.id + 1] = r.index - 1L;
        }
        to[2 * runs.size()] = read;
        starts.add(to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the window's spilled rows in " + dir, e);
    }
  }

  /** Runs read together: the run whose row comes next (by key, then by place) first. */
  private final class Merged implements AutoCloseable {
    private final PriorityQueue<Run> next = new PriorityQueue<>(StagedRows.this::compare);
    private final List<Run> open = new ArrayList<>();

    /** Adds run {@code id}'s file, from row {@code skip} of its chunk at {@code offset}. */
    void add(Path file, int id, long offset, int skip) throws IOException {
      Run run = new Run(file, id, offset, skip);
      open.add(run);
      if (run.advance()) {
        next.add(run);
      }
    }

    /** The run whose current row comes next; null when no run has a row left. */
    Run peek() {
      return next.peek();
    }

    /** Moves past the row that came next. */
    void pop() throws IOException {
      Run first = next.poll();
      if (first.advance()) {
        next.add(first);
      }
    }

    /** The runs with a row left, each at its current row. */
    Collection<Run> left() {
      return next;
    }

    @Override
    public void close() {
      for (Run r : open) {
        r.closeQuietly();
      }
    }
  }

  /** Runs by their current rows: by key, then by place in the window. */
  private int compare(Run a, Run b) {
    int c = keyOrder == null ? 0 : keyOrder.compare(a.row(), b.row());
    return c != 0 ? c : Long.compare(a.at(), b.at());
  }

  /** Whether two rows are of one key: rows without a key never are (they are cut anywhere). */
  private boolean sameKey(Object[] a, Object[] b) {
    return keyOrder != null && keyOrder.compare(a, b) == 0;
  }

  /** A run's file read a row at a time, from a row in it. */
  private static final class Run {
    final int id;
    private final DataInputStream in;
    private ValueCodec.Reader chunk;
    private int left;

    /** The offset in the file of the current row's chunk, and of the next chunk. */
    long chunkStart;

    private long nextChunk;

    /** Rows of the current chunk read so far, the current one too. */
    int index;

    private long at;
    private Object[] row;

    /** The run, at row {@code skip} of the chunk at {@code offset}. */
    Run(Path file, int id, long offset, int skip) throws IOException {
      this.id = id;
      FileChannel channel = FileChannel.open(file);
      InputStream stream = Channels.newInputStream(channel);
      in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
      nextChunk = offset;
      try {
        channel.position(offset);
        for (int i = 0; i < skip; i++) {
          if (!advance()) {
            throw new EOFException(
                file + " ends before row " + skip + " of its chunk at " + offset);
          }
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly();
        throw e;
      }
    }

    /** Moves to the next row; false at the end. */
    boolean advance() throws IOException {
      if (left == 0) {
        int rows;
        try {
          rows = in.readInt();
        } catch (EOFException e) {
          return false;
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        chunk = new ValueCodec.Reader(bytes);
        chunkStart = nextChunk;
        nextChunk += 8L + bytes.length;
        left = rows;
        index = 0;
      }
      left--;
      index++;
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

    void closeQuietly() {
      try {
        in.close();
      } catch (IOException e) {
        // the rows were read, or reading failed already
      }
    }
  }

  /** A run's file written a row at a time, in chunks of encoded rows: count, length, bytes. */
  private static final class RunWriter implements AutoCloseable {
    private final DataOutputStream out;
    private ValueCodec.Writer chunk = new ValueCodec.Writer(CHUNK);
    private int rows;

    RunWriter(Path file) throws IOException {
      out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    void add(long at, Object[] row) throws IOException {
      chunk.value(at);
      chunk.row(row);
      rows++;
      if (chunk.size() >= CHUNK) {
        flush();
      }
    }

    private void flush() throws IOException {
      out.writeInt(rows);
      out.writeInt(chunk.size());
      out.write(chunk.bytes(), 0, chunk.size());
      chunk = new ValueCodec.Writer(CHUNK);
      rows = 0;
    }

    @Override
    public void close() throws IOException {
      try (out) {
        if (rows > 0) {
          flush();
        }
      }
    }
  }

  private void spill() {
    SPILLS.incrementAndGet();
    sweep(tmp);
    try {
      dir = Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("spilling the window's rows under " + tmp, e);
    }
  }

  /**
   * Writes the rows memory holds as a run, sorted by key (a sort that keeps a key's rows' order),
   * or without a key in the order they came.
   */
  private void writeRun() {
    Integer[] sorted = sortedByKey();
    Path file = dir.resolve(runs.size() + ".rows");
    try (RunWriter out = new RunWriter(file)) {
      for (int i : sorted) {
        out.add(memoryFrom + i, memory.get(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("spilling the window's rows in " + dir, e);
    }
    runs.add(file);
    memoryFrom += memory.size();
    memory.clear(); // its array kept for the next run's rows
  }

  /**
   * Writes what is left, merges runs into longer ones while there are more than {@link #fanIn}, and
   * counts the slices: the rows are read from here on.
   */
  private void finish() {
    if (failed != null) {
      throw failed; // the rows cannot be read: no later plan of the window reads fewer
    }
    if (finished) {
      return;
    }
    finished = true;
    try {
      if (!memory.isEmpty()) {
        writeRun();
      }
      memory = null;
      while (runs.size() > fanIn) {
        merge();
      }
    } catch (IOException e) {
      failed = new UncheckedIOException("merging the window's spilled rows in " + dir, e);
      throw failed;
    } catch (RuntimeException e) {
      failed = e;
      throw e;
    }
    long perSlice = Math.max(1, memoryRows / atOnce);
    slices = (int) Math.min(maxSlices, (count + perSlice - 1) / perSlice);
    starts.add(new long[2 * runs.size() + 1]); // every run from its first row, none read before
  }

  /**
   * Merges the first runs (the shortest: the runs written while the rows came, before any merged
   * one) into one, the last: as many as leave {@link #fanIn} runs, at most {@link #fanIn}.
   */
  private void merge() throws IOException {
    int n = Math.min(fanIn, runs.size() - fanIn + 1);
    List<Path> merged = new ArrayList<>(runs.subList(0, n));
    Path file = dir.resolve("m" + runs.size() + "-" + merged.get(0).getFileName());
    try (RunWriter out = new RunWriter(file);
        Merged in = new Merged()) {
      for (int r = 0; r < merged.size(); r++) {
        in.add(merged.get(r), r, 0, 0);
      }
      for (Run first; (first = in.peek()) != null; in.pop()) {
        out.add(first.at(), first.row());
      }
    }
    for (Path p : merged) {
      Files.delete(p);
    }
    runs.subList(0, n).clear();
    runs.add(file);
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
