package dev.idem.spark;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.TransientException;
import dev.idem.context.Workers;
import dev.idem.destination.RowFold;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.Dataset;
import dev.idem.source.RecordReader;
import dev.idem.source.ScattersRows;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSource;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file source whose windows are read by Spark: one task per input file, or per part of a large
 * one ({@link FileTask}), each running idem's own reader on its file, the records returned to the
 * driver in the order the JVM runner reads them (files by path, records by line). Everything else
 * is the original source's: its windows, its fingerprints (file bytes) and its description, so the
 * definition hash and the skip decision do not depend on the engine; what it learns of the input
 * files (their hashes, the windows they hold) it learns from Spark tasks ({@link
 * #learnInputFiles}). Each task folds its part's records by the write's rule ({@link FoldsEarly}),
 * so only its winners travel; folding the parts together, the plan, the data files and the commit
 * with the window's ledger entry stay the destination's, as in the JVM runner.
 */
final class SparkSource implements Source, ScattersRows {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSource.class);

  private final Source original;

  /** The reading jobs: one task per input file, or per part of one ({@link FileTask}). */
  private final SparkWorkers readers;

  private final Path pipelineFile;

  /** The pipeline file as the tasks load it again. */
  private final PipelineRef pipeline;

  SparkSource(Source original, JavaSparkContext spark, Path pipelineFile, List<String> sets) {
    if (!(original instanceof FileSource)) {
      throw new ConfigException(
          "--engine spark reads file sources (csv, jsonl, parquet); "
              + original.describe()
              + " is none of them");
    }
    this.original = original;
    this.readers = new SparkWorkers(spark);
    this.pipelineFile = pipelineFile.toAbsolutePath().normalize();
    this.pipeline = PipelineRef.of(this.pipelineFile, sets);
  }

  @Override
  public Schema schema() {
    return original.schema();
  }

  /**
   * The original source's windows, once Spark tasks learned the input files this process does not
   * know yet ({@link #learnInputFiles}).
   */
  @Override
  public List<Window> windows(WindowSpec spec) throws IOException {
    learnInputFiles(spec);
    return original.windows(spec);
  }

  /** The spec the input files were learned under, once they were ({@link #learnInputFiles}). */
  private WindowSpec learned;

  /**
   * Hashes the input files whose hash this process does not know (for the windows' fingerprints;
   * not for {@code file} windows, each of which hashes its own file on the driver) and, under a day
   * or hour spec, scans those whose windows neither this process nor the scan cache knows, as Spark
   * tasks instead of on the driver: a first load would otherwise parse its whole input on the
   * driver before its first window, and any run hash it there. A hash is a task a file (a SHA-256
   * is not split); a scan a task a part of the file, as the windows read it ({@link #partBytes}).
   * The original source takes what the tasks found ({@link FileSource#learnHashes}, {@link
   * FileSource#learnScans}); what it does not take (a file written since its task read it, a scan
   * that failed, a text file a part of which but the last stopped at a record it could not read
   * past) and every file of a failed job it reads itself, as the JVM runner does, failing the same
   * way.
   */
  private synchronized void learnInputFiles(WindowSpec spec) throws IOException {
    if (spec.kind() == WindowKind.FILE || spec.equals(learned)) {
      // a file window's fingerprint hashes its one file: a run of some hashes only theirs; and a
      // file written after the tasks learned it is hashed and scanned again by the original
      return;
    }
    learned = spec;
    FileSource source = (FileSource) original;
    List<String> unhashed = source.unhashedFiles();
    if (!unhashed.isEmpty()) {
      List<InputFileTask> tasks = new ArrayList<>();
      for (String name : unhashed) {
        tasks.add(task(name, spec, FilePart.WHOLE));
      }
      int taken =
          source.learnHashes(
              run("hashing " + unhashed.size() + " input files", tasks, InputFileTask::hash));
      TASK_HASHED.addAndGet(taken);
      if (taken < unhashed.size()) {
        return; // the original hashes and scans the rest on the driver's cores
      }
    }
    List<String> unscanned = source.unscannedFiles(spec);
    if (!unscanned.isEmpty()) {
      List<InputFileTask> tasks = new ArrayList<>();
      for (String name : unscanned) {
        for (FilePart part : source.partsOf(name, partBytes())) {
          tasks.add(task(name, spec, part));
        }
      }
      String what = "scanning " + unscanned.size() + " input files";
      TASK_SCANNED.addAndGet(
          source.learnScans(
              spec,
              run(
                  tasks.size() == unscanned.size() ? what : what + " in " + tasks.size() + " parts",
                  tasks,
                  InputFileTask::scan)));
    }
  }

  private InputFileTask task(String name, WindowSpec spec, FilePart part) {
    return new InputFileTask(pipeline, pathSetting(name), spec, part);
  }

  /** A job learning input files; on failure, logged, no results. */
  private <O> List<O> run(
      String what, List<InputFileTask> tasks, Workers.Task<InputFileTask, O> task) {
    try {
      return readers.run("idem: " + what, tasks, task);
    } catch (TransientException | DataException e) {
      LOG.warn("{}; the driver reads the files itself", e.getMessage());
      return List.of();
    }
  }

  /**
   * The original source's fingerprint, once Spark tasks learned the input files (a run of chosen
   * windows does not list the windows first).
   */
  @Override
  public Optional<String> fingerprint(WindowSpec spec, Window window) throws IOException {
    learnInputFiles(spec);
    return original.fingerprint(spec, window);
  }

  @Override
  public String describe() {
    return original.describe();
  }

  @Override
  public Dataset dataset() {
    return original.dataset();
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) throws IOException {
    return read(spec, window, ObservedSchema.of(schema(), DriftPolicy.DISCARD));
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    return read(spec, window, observed, null);
  }

  /**
   * Each task folds its part of the window by {@code fold} ({@link FileTask#read}): of a key's
   * records in one file's part only the winner comes to the driver. A file read again on the driver
   * ({@link FileTask#readOnDriver}) is not folded early: what its task folded is dropped with its
   * records.
   */
  @Override
  public RecordReader read(WindowSpec spec, Window window, ObservedSchema observed, RowFold fold)
      throws IOException {
    List<FileTask> tasks = tasks(spec, window, fold);
    // a failed job is a transient failure of the window, as the writing tasks' is
    return new Collected(
        tasks,
        readers.run("idem window " + window.id(), tasks, FileTask::read),
        observed,
        schema().size());
  }

  /**
   * Reads the window as {@link #read(WindowSpec, Window, ObservedSchema, RowFold)} does, but each
   * task keeps the rows it stages where it ran ({@link FileTask#readKeeping}, {@link
   * SparkScattered}), and only the records the runner does not stage, with a few bytes for each it
   * does, come to the driver. When the driver must read a file of the window itself (any drift
   * under {@code freeze}, a part of a text file that failed before its last), the kept rows are
   * freed and the window is read as {@link #read(WindowSpec, Window, ObservedSchema, RowFold)}
   * reads it, its records coming to the driver (logged).
   */
  @Override
  public ScattersRows.Reader readScattering(
      WindowSpec spec, Window window, ObservedSchema observed, RowFold fold) throws IOException {
    if (!keepsRows()) {
      return new KeptReader(read(spec, window, observed, fold), null);
    }
    List<FileTask> tasks = tasks(spec, window, fold);
    if (!tasks.isEmpty() && tasks.size() < SparkScattered.MOST_PARTS) {
      SparkWorkers.Keeping<KeptRows.Told> kept =
          readers.runKeeping(
              "idem window " + window.id() + ", its rows kept where read",
              tasks,
              FileTask::readKeeping,
              KeptRows::told);
      SparkScattered rows = new SparkScattered(kept.kept(), kept.toDriver());
      try {
        Collected records =
            new Collected(
                tasks,
                kept.toDriver().stream().map(KeptRows.Told::records).toList(),
                observed,
                schema().size());
        // a part of more records than a row's place can number is read as before
        boolean placed =
            kept.toDriver().stream()
                .allMatch(t -> t.records().count() < SparkScattered.MOST_RECORDS);
        if (placed && !records.readsOnDriver()) {
          KEPT_ROWS.addAndGet(rows.rows());
          return new KeptReader(records, rows);
        }
      } catch (RuntimeException | Error e) {
        rows.close();
        throw e;
      }
      rows.close();
      LOG.info(
          "window {}: the driver reads a file of it itself; its rows come to the driver",
          window.id());
    }
    return new KeptReader(read(spec, window, observed, fold), null);
  }

  /** A window's reader and the rows its tasks kept, or null ({@link #readScattering}). */
  private static final class KeptReader implements ScattersRows.Reader {
    private final RecordReader records;
    private SparkScattered rows;

    KeptReader(RecordReader records, SparkScattered rows) {
      this.records = records;
      this.rows = rows;
    }

    @Override
    public SourceRecord next() throws IOException {
      return records.next();
    }

    @Override
    public synchronized Optional<Workers.Scattered> scattered() {
      Optional<Workers.Scattered> taken = Optional.ofNullable(rows);
      rows = null;
      return taken;
    }

    @Override
    public void close() throws IOException {
      try {
        records.close();
      } finally {
        synchronized (this) {
          if (rows != null) {
            rows.close();
          }
        }
      }
    }
  }

  /** The tasks reading the window: one a file, or a part of one, each folding by {@code fold}. */
  private List<FileTask> tasks(WindowSpec spec, Window window, RowFold fold) throws IOException {
    int keys = foldKeys();
    // a task for each file the JVM runner's reader of this window opens, no other (a file that
    // holds none of the window's records would give none), or for each part of a large one
    List<FileTask> tasks = new ArrayList<>();
    for (FileSource.InputFile f : ((FileSource) original).inputFiles(spec, window, partBytes())) {
      for (FilePart part : f.parts()) {
        tasks.add(
            new FileTask(
                pipeline,
                f,
                part,
                pathSetting(f.name()),
                window.id(),
                keys == 0 ? null : fold,
                keys));
      }
    }
    return counted(tasks, window);
  }

  /**
   * The line breaks in each block of the text files read in parts, by the SHA-256 of the file's
   * bytes, the block size and the block's number: a file that holds several windows is counted
   * once, and a file written since is another key.
   */
  private final Map<String, Long> lineBreaks = new ConcurrentHashMap<>();

  /**
   * The tasks, each part of a CSV or JSON-lines file told the line breaks before it: counted a
   * block at a time by a job of a task a block but the file's last (blocks this process counted
   * before in the same bytes are not counted again; two windows of a file read at once, under
   * {@code --parallel}, may both count it), and added up here, so that no task reads the file
   * before its part to number its lines (a part near the end of a large file would read almost all
   * of it first).
   */
  private List<FileTask> counted(List<FileTask> tasks, Window window) throws IOException {
    FileSource source = (FileSource) original;
    // the text parts to count: not a file's last part (the line breaks after it count for none)
    boolean[] toCount = new boolean[tasks.size()];
    Set<String> split = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      toCount[i] = tasks.get(i).part().uncounted() && beforeItsFilesLast(tasks, i);
      if (toCount[i]) {
        split.add(tasks.get(i).file().name());
      }
    }
    Map<String, String> hashes = source.sha256(split);
    String[] keys = new String[tasks.size()];
    Map<String, Long> counts = new HashMap<>(); // this call's, by key
    List<FileTask> counting = new ArrayList<>();
    List<String> countingKeys = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      FileTask t = tasks.get(i);
      if (toCount[i]) {
        String sha = hashes.get(t.file().name());
        if (sha == null) {
          throw new NoSuchFileException(t.file().name(), null, "no longer an input file");
        }
        keys[i] = sha + ":" + t.part().blockBytes() + ":" + t.part().first();
        Long known = lineBreaks.get(keys[i]);
        if (known != null) {
          counts.put(keys[i], known);
        } else {
          counting.add(t);
          countingKeys.add(keys[i]);
        }
      }
    }
    if (!counting.isEmpty()) {
      List<Long> breaks =
          readers.run(
              "idem window " + window.id() + ": line breaks of " + counting.size() + " file parts",
              counting,
              FileTask::lineBreaks);
      // kept for other windows only while the file's bytes are those hashed before the job (a
      // file written meanwhile fails this window at its fingerprint's check)
      Map<String, String> after;
      try {
        after = source.sha256(new HashSet<>(counting.stream().map(t -> t.file().name()).toList()));
      } catch (IOException e) {
        after = Map.of(); // none kept: the window's read meets the file as it is
      }
      for (int k = 0; k < breaks.size(); k++) {
        counts.put(countingKeys.get(k), breaks.get(k));
        String name = counting.get(k).file().name();
        if (hashes.get(name).equals(after.get(name))) {
          lineBreaks.put(countingKeys.get(k), breaks.get(k));
        }
      }
    }
    List<FileTask> counted = new ArrayList<>(tasks.size());
    long before = 0;
    for (int i = 0; i < tasks.size(); i++) {
      FileTask t = tasks.get(i);
      if (!t.part().uncounted()) {
        counted.add(t);
        continue;
      }
      if (i == 0 || !tasks.get(i - 1).file().equals(t.file())) {
        before = 0; // a file's first part
      }
      counted.add(t.reading(t.part().counted(before)));
      if (keys[i] != null) {
        before += counts.get(keys[i]);
      }
    }
    return counted;
  }

  /**
   * Whether task {@code i} reads a part of its file before the file's last (a file's parts are
   * consecutive tasks).
   */
  private static boolean beforeItsFilesLast(List<FileTask> tasks, int i) {
    return i + 1 < tasks.size() && tasks.get(i + 1).file().equals(tasks.get(i).file());
  }

  /**
   * How many bytes of a file a task reads at most, about: Parquet's row groups by their compressed
   * size (a row group is never split), CSV and JSON lines by bytes split at line starts (a record
   * is read by the part its first line starts in); the system property {@value #PART_BYTES} on the
   * driver, else 128 MiB, the default of Spark's own {@code spark.sql.files.maxPartitionBytes}.
   */
  static long partBytes() {
    return Long.getLong(PART_BYTES, 128L << 20);
  }

  /**
   * For how many keys a reading task remembers the winner at most while it folds its part ({@link
   * dev.idem.run.EarlyFold}: the key and the winner's place among the part's encoded records, some
   * 10 MB for 100,000 keys): the system property {@value #FOLD_KEYS} on the driver, else 100,000. A
   * key met again after it was let go is folded by the driver instead. 0: the tasks do not fold.
   */
  static int foldKeys() {
    int keys = Integer.getInteger(FOLD_KEYS, 100_000);
    if (keys < 0) {
      throw new ConfigException(
          "-D" + FOLD_KEYS + " must be 0 (the tasks do not fold) or more, not " + keys);
    }
    return keys;
  }

  /**
   * Whether the reading tasks keep the rows they stage where they run when the destination plans
   * them there ({@link #readScattering}): the system property {@value #KEEP_ROWS} on the driver,
   * else yes; {@code false}: the rows come to the driver (as with {@code --engine spark} before,
   * for comparison).
   */
  static boolean keepsRows() {
    return Boolean.parseBoolean(System.getProperty(KEEP_ROWS, "true"));
  }

  /** System property: whether the tasks keep their rows ({@link #keepsRows()}). */
  static final String KEEP_ROWS = "idem.spark.keep.rows";

  /** System property: keys a reading task folds at once ({@link #foldKeys()}). */
  static final String FOLD_KEYS = "idem.spark.fold.keys";

  /** Files read again on the driver ({@link FileTask#readOnDriver}) since the process started. */
  static final AtomicLong DRIVER_READS = new AtomicLong();

  /**
   * Rows kept where the tasks read them ({@link #readScattering}) since the process started: rows
   * that never came to the driver.
   */
  static final AtomicLong KEPT_ROWS = new AtomicLong();

  /** Records folded early by the tasks ({@link FileTask#read}) since the process started. */
  static final AtomicLong TASK_FOLDED = new AtomicLong();

  /** Input files whose hash, or scan, the driver took from a task since the process started. */
  static final AtomicLong TASK_HASHED = new AtomicLong();

  static final AtomicLong TASK_SCANNED = new AtomicLong();

  /** System property: bytes of a file a task reads at most ({@link #partBytes()}). */
  static final String PART_BYTES = "idem.spark.part.bytes";

  /**
   * The {@code source.path} a task reads one input file with, such that the task's source names the
   * file as the original does ({@code name}, from {@code inputFiles()} of a file source): in
   * positions, dead letters and file window ids. A name relative to the pipeline file's directory
   * is the path as it is; one relative to the base of an absolute glob is the absolute path split
   * at that base (the pipeline file's binder splits an absolute path at its first glob segment, so
   * a name with directories gets its first letter or digit in brackets, a glob matching only
   * itself); a name that is an absolute path (a relative glob reaching out of the pipeline's
   * directory, {@code ../data/*.csv}) is the path relative to the pipeline file's directory again.
   */
  String pathSetting(String name) {
    if (name.indexOf('\\') >= 0) {
      // a pipeline file's path takes a backslash for a separator (FileSection)
      throw new ConfigException(
          "--engine spark cannot name the input file "
              + name
              + " to a task: its name holds a backslash; rename it, or run without --engine spark");
    }
    Path dir = pipelineFile.getParent();
    Path base = ((FileSource) original).inputBase();
    if (Path.of(name).isAbsolute()) {
      return literal(dir.relativize(Path.of(name)).toString().replace('\\', '/'));
    }
    if (base.equals(dir)) {
      return literal(name);
    }
    String root = base.toString().replace('\\', '/');
    root = root.endsWith("/") ? root : root + "/";
    int slash = name.indexOf('/');
    if (slash < 0) {
      return root + literal(name);
    }
    for (int i = 0; i < slash; i++) {
      if (Character.isLetterOrDigit(name.charAt(i))) {
        return root
            + literal(name.substring(0, i))
            + "["
            + name.charAt(i)
            + "]"
            + literal(name.substring(i + 1));
      }
    }
    throw new ConfigException(
        "--engine spark cannot name the input file "
            + root
            + name
            + " to a task: the first folder under the glob's base has no letter or digit");
  }

  /**
   * {@code path} as a glob that matches only itself: each glob character (an asterisk, a question
   * mark, an opening bracket or brace) in brackets, so that a file named {@code a[1].csv} is read
   * as the file it is.
   */
  static String literal(String path) {
    StringBuilder b = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if ("*?[{".indexOf(c) >= 0) {
        b.append('[').append(c).append(']');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * The tasks' records in order. Before a file's first record, what its reader observed is reported
   * into the window's observation, as the reader would have in this process (for a file read in
   * parts, its columns once, the types each part broke in order); a file whose reader failed fails
   * the read after its records. A file is read again here, whole, by its task's reader on the
   * window's observation ({@link FileTask#readOnDriver}), and none of its parts' records is taken,
   * when its task says so ({@link FileRecords#readOnDriver}: any drift under freeze, which fails
   * the window at the record that shows the drift), or when a CSV or JSON-lines part before the
   * file's last failed: a CSV part's text may end inside a quoted field that holds a line break
   * ({@link FileSource#inputFiles(WindowSpec, Window, long)} splits a text file at line starts), so
   * its reader fails at its end and the next part's reader started inside that record.
   *
   * <p>Under {@code evolve}, a task loads the columns its part adds (a CSV header's, a Parquet
   * schema's, JSON lines' keys) as the input types them. Before the part's first record, the
   * window's observation resolves them, in the order the task's reader added and typed them, as a
   * reader here would ({@link ObservedSchema#resolveAdded}); the part's records are taken when each
   * column is loaded as its task loaded it (their values moved to the columns' places among the
   * window's added columns), else the part is read again here ({@link FileTask#readPartOnDriver}:
   * the target already has the column as another type, an earlier file typed it otherwise, or the
   * destination refuses it, which the reader here meets where the column shows).
   */
  private static final class Collected implements RecordReader {
    private final List<FileTask> tasks;
    private final List<FileRecords> files;
    private final ObservedSchema observed;
    private final int declared;
    private int next;
    private FileRecords file;
    private RecordCodec.Reader records;

    /**
     * Where the current part's added columns are among the window's ({@link
     * ObservedSchema#addedIndexes}), or null when at the same places.
     */
    private int[] addedAt;

    private RecordReader here;

    /** The file last read whole here: its other parts are not read again. */
    private String readHere;

    /** The files read whole here ({@link FileTask#readOnDriver}) instead of their tasks' parts. */
    private final Set<String> wholeHere = new HashSet<>();

    Collected(
        List<FileTask> tasks, List<FileRecords> files, ObservedSchema observed, int declared) {
      this.tasks = tasks;
      this.files = files;
      this.observed = observed;
      this.declared = declared;
      for (int i = 0; i < tasks.size(); i++) {
        FileTask task = tasks.get(i);
        // a text part's reader fails where its text ends inside a record (a file's parts are
        // consecutive tasks); a Parquet part's failure is the whole file's
        boolean failedBeforeTheLast =
            task.part().blockBytes() > 0
                && beforeItsFilesLast(tasks, i)
                && files.get(i).failure() != null;
        if ((files.get(i).readOnDriver() || failedBeforeTheLast)
            && wholeHere.add(task.file().name())
            && failedBeforeTheLast) {
          LOG.info(
              "{}: a part of it failed before its end ({}); the driver reads the file whole",
              task.file().name(),
              files.get(i).failure());
        }
      }
    }

    /** Whether the driver reads some file (or part) of the window itself. */
    boolean readsOnDriver() {
      return !wholeHere.isEmpty();
    }

    @Override
    public SourceRecord next() throws IOException {
      while (true) {
        if (here != null) {
          SourceRecord r = here.next();
          if (r != null) {
            return r;
          }
          here.close();
          here = null;
        } else if (records != null && records.hasNext()) {
          return addedAt == null ? records.next() : moved(records.next());
        } else if (file != null && file.failure() != null) {
          throw new DataException(file.failure());
        }
        if (next == files.size()) {
          return null;
        }
        FileTask task = tasks.get(next);
        file = files.get(next++);
        records = null;
        addedAt = null;
        if (wholeHere.contains(task.file().name())) {
          // the first of the file's parts reads the whole file here
          if (!task.file().name().equals(readHere)) {
            here = task.readOnDriver(observed);
            readHere = task.file().name();
            DRIVER_READS.incrementAndGet();
          }
          file = null;
          continue;
        }
        if (observed.keepsAdded()
            && !file.seen().added().isEmpty()
            && !observed.resolveAdded(file.seen())) {
          LOG.info(
              "{}: a column it adds is loaded as another type than its task read it as, or cannot"
                  + " be added; the driver reads the part",
              task.file().name());
          here = task.readPartOnDriver(observed);
          DRIVER_READS.incrementAndGet();
          file = null;
          continue;
        }
        records = file.reader();
        TASK_FOLDED.addAndGet(file.folded());
        // before the file's records, as its reader reports what it sees as it opens the file,
        // a file without records of the window too (a full window's header-only CSV file)
        observed.take(file.seen());
        if (observed.keepsAdded()) {
          int[] at = observed.addedIndexes(file.seen());
          for (int k = 0; k < at.length; k++) {
            if (at[k] != k) {
              addedAt = at;
              break;
            }
          }
        }
      }
    }

    /** A record of the current part with its added columns' values at their places here. */
    private SourceRecord moved(SourceRecord r) {
      Object[] values = r.values();
      if (values == null || values.length <= declared) {
        return r;
      }
      Object[] out = new Object[declared + observed.added()];
      System.arraycopy(values, 0, out, 0, declared);
      for (int k = 0; k < values.length - declared; k++) {
        out[declared + addedAt[k]] = values[declared + k];
      }
      return new SourceRecord(out, r.position(), r.raw(), r.problem(), r.badValues());
    }

    @Override
    public void close() throws IOException {
      if (here != null) {
        here.close();
      }
    }
  }
}
