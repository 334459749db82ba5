package dev.idem.iceberg;

import static java.util.stream.Collectors.toSet;

import dev.idem.context.Workers;
import dev.idem.key.KeyEncoding;
import dev.idem.schema.ValueCodec;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parquet data files of one table, written and read with Iceberg's generic records, no engine: in
 * this JVM, or by the destination's workers where they run (an engine's executors: a window's new
 * rows, the lookup of its keys in the table's files, the rewrite of those a change touches). Files
 * are written under the table's location provider and count only once a commit adds them; a file of
 * a commit that never happened is an orphan (see docs/iceberg-destination.md).
 */
final class TableFiles {
  private static final Logger LOG = LoggerFactory.getLogger(TableFiles.class);

  /**
   * The fewest rows a task of {@link #write(List, TableSchema.Layout, String, String)} is given:
   * fewer rows stay in one file written here ({@code -Didem.iceberg.rows.per.task} to change).
   */
  static final String ROWS_PER_TASK = "idem.iceberg.rows.per.task";

  private final Table table;
  private final org.apache.iceberg.Schema schema;
  private final Workers workers;
  private final String names;

  /** How many data files this JVM's lookups have read (wherever they ran): for tests. */
  static final AtomicLong LOOKED_UP = new AtomicLong();

  TableFiles(Table table) {
    this(table, table.schema(), Workers.IN_PROCESS);
  }

  /**
   * Files of {@code table} written and read as {@code schema}: the table's, or the one a window's
   * commit gives it (schema_drift evolve); a window's new rows written by {@code workers}.
   */
  TableFiles(Table table, org.apache.iceberg.Schema schema, Workers workers) {
    this(table, schema, workers, null);
  }

  /**
   * As above; the files of a window's new rows named after {@code names} (the start of their
   * location, {@link #newFilePrefix}), if not null: those a task writes.
   */
  private TableFiles(Table table, org.apache.iceberg.Schema schema, Workers workers, String names) {
    this.names = names;
    this.table = table;
    this.schema = schema;
    this.workers = workers;
  }

  /** The schema records and data files follow. */
  org.apache.iceberg.Schema schema() {
    return schema;
  }

  /** The partition of {@code partition}, or else of the record {@code first}. */
  private PartitionKey key(Record first, StructLike partition) {
    PartitionKey key = new PartitionKey(table.spec(), schema);
    if (partition == null) {
      key.partition(first);
    } else {
      for (int i = 0; i < table.spec().fields().size(); i++) {
        key.set(i, partition.get(i, Object.class));
      }
    }
    return key;
  }

  /** Where a new data file of the partition {@code key} goes. */
  private String location(PartitionKey key) {
    return names == null ? prefix(key) + ".parquet" : named(names);
  }

  /** A file's location after a prefix the driver chose and a name of its own. */
  private static String named(String prefix) {
    return prefix + "-" + UUID.randomUUID() + ".parquet";
  }

  /**
   * The start of the locations of files a task writes of a window's new rows, one of which is
   * {@code stored} ({@link #inTask}, {@link #runWriting}).
   */
  String newFilePrefix(
      Object[] stored, TableSchema.Layout layout, String window, String windowOrder) {
    return prefix(key(layout.record(stored, window, windowOrder), null));
  }

  /** Whether the workers run tasks elsewhere, several at once ({@code --engine spark}). */
  boolean runsTasksElsewhere() {
    return elsewhere(workers);
  }

  /** Whether {@code workers} run tasks elsewhere, several at once ({@code --engine spark}). */
  static boolean elsewhere(Workers workers) {
    return workers != Workers.IN_PROCESS && workers.parallelism() > 1;
  }

  /** How many tasks the workers run at once. */
  int parallelism() {
    return workers.parallelism();
  }

  /** {@code value} for the workers' tasks to read ({@link Workers#share}). */
  <T extends Serializable> Workers.Shared<T> share(T value) {
    return workers.share(value);
  }

  /** The table as a task takes it. */
  Table shipped() {
    return SerializableTable.copyOf(table);
  }

  /** A new data file's location in the partition {@code key}, but for its {@code .parquet}. */
  private String prefix(PartitionKey key) {
    return table.locationProvider().newDataLocation(table.spec(), key, "idem-" + UUID.randomUUID());
  }

  private DataFile write(Iterable<Record> records, PartitionKey key, String location) {
    OutputFile out = table.io().newOutputFile(location);
    DataWriter<Record> writer;
    try {
      writer =
          Parquet.writeData(out)
              .forTable(table)
              .schema(schema)
              .createWriterFunc(GenericParquetWriter::create)
              .withSpec(table.spec())
              .withPartition(key)
              .overwrite()
              .build();
      try (writer) {
        records.forEach(writer::write);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + out.location(), e);
    }
    return writer.toDataFile();
  }

  /**
   * Writes a window's new rows (stored values) as records of {@code layout}: one data file here,
   * or, when the workers run several tasks at once ({@code --engine spark}'s executors) and the
   * rows are enough for two tasks of {@link #ROWS_PER_TASK}, one file per task, written where the
   * tasks run. The files in the rows' order.
   */
  List<DataFile> write(
      List<Object[]> rows, TableSchema.Layout layout, String window, String windowOrder) {
    long least = Math.max(1, Long.getLong(ROWS_PER_TASK, 10_000));
    int tasks = (int) Math.min(workers.parallelism(), rows.size() / least);
    if (tasks < 2) {
      // each row made a record as the writer takes it: a window's rows are not held twice
      PartitionKey key = key(layout.record(rows.get(0), window, windowOrder), null);
      Iterable<Record> records =
          () -> rows.stream().map(r -> layout.record(r, window, windowOrder)).iterator();
      return List.of(write(records, key, location(key)));
    }
    Table shipped = SerializableTable.copyOf(table);
    PartitionKey key = key(layout.record(rows.get(0), window, windowOrder), null);
    // each task names its file after a prefix the driver chose and a name of its own, so that a
    // task Spark runs twice (a lost executor, speculation) never writes over a file another
    // attempt wrote, and the driver can find what a failed job's tasks wrote
    // a task's rows shared with it (on Spark a broadcast variable), not in the task: Spark
    // refuses a task larger than spark.rpc.message.maxSize
    List<RowsTask> inputs = new ArrayList<>(tasks);
    try {
      for (int t = 0; t < tasks; t++) {
        ValueCodec.Writer encoded = new ValueCodec.Writer();
        List<Object[]> part = rows.subList(rows.size() * t / tasks, rows.size() * (t + 1) / tasks);
        part.forEach(encoded::row);
        inputs.add(
            new RowsTask(
                shipped,
                schema,
                layout,
                window,
                windowOrder,
                prefix(key),
                workers.share(encoded.bytes()),
                part.size()));
      }
      return runWriting(
          "idem window " + window + ": " + rows.size() + " rows written in " + tasks + " files",
          inputs,
          inputs.stream().map(t -> t.prefix).toList(),
          t -> List.of(t.write()),
          window);
    } finally {
      inputs.forEach(t -> t.rows.close());
    }
  }

  /**
   * Deletes the files tasks wrote (their names begin with one of {@code prefixes}, the names the
   * driver gave them) but those named in {@code keep}, where the table's FileIO can list them:
   * after a failed job all of them, after a job that succeeded the files of attempts whose results
   * were not taken. Each prefix's folder is listed once (a partition's; under the object-storage
   * layout, a folder of its own). The workers return a failure once the job's tasks stopped; a task
   * that outlived their wait (or a speculative attempt still running) may write its file after
   * this: an orphan, as a killed driver's, which {@code idem doctor} finds.
   */
  private void deleteWritten(List<String> prefixes, Set<String> keep) {
    if (!(table.io() instanceof SupportsPrefixOperations io)) {
      return;
    }
    // by name: a listing may spell the folder otherwise (file:/tmp/... for /tmp/...)
    Map<String, List<String>> byFolder = new LinkedHashMap<>();
    for (String p : prefixes) {
      byFolder
          .computeIfAbsent(p.substring(0, p.lastIndexOf('/') + 1), f -> new ArrayList<>())
          .add(name(p));
    }
    RuntimeException failed = null;
    for (Map.Entry<String, List<String>> folder : byFolder.entrySet()) {
      // each folder by itself: one a task never wrote to may not exist (the object-storage
      // layout gives each file a folder of its own), which must not keep the others' files
      try {
        for (FileInfo f : io.listPrefix(folder.getKey())) {
          String name = name(f.location());
          if (!keep.contains(name) && folder.getValue().stream().anyMatch(name::startsWith)) {
            io.deleteFile(f.location());
          }
        }
      } catch (RuntimeException e) {
        if (!missing(e)) {
          if (failed == null) {
            failed = e;
          } else {
            failed.addSuppressed(e);
          }
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /** Whether listing a folder failed because it does not exist (nothing to delete in it). */
  private static boolean missing(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.FileNotFoundException
          || t instanceof java.nio.file.NoSuchFileException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code tasks} (each writing files named after its prefix, {@code prefixes} in the same
   * order) by the workers: when the job fails, the files they wrote are deleted; when it succeeds
   * and the workers say a task may have run more than once ({@link Workers#runAndTell}: an attempt
   * that failed after its work, a speculative copy), the files of the attempts whose results were
   * not taken. Else the tasks' folders are not listed (a LIST request a folder on object storage).
   */
  private <I> List<DataFile> runWriting(
      String description,
      List<I> tasks,
      List<String> prefixes,
      Workers.Task<I, List<DataFile>> task,
      String window) {
    List<DataFile> written = new ArrayList<>();
    runWriting(description, tasks, prefixes, task, files -> files, window).forEach(written::addAll);
    return written;
  }

  /**
   * Runs {@code tasks} as above, each output naming the files its task wrote ({@code filesOf}): the
   * outputs, in order.
   */
  <I, O> List<O> runWriting(
      String description,
      List<I> tasks,
      List<String> prefixes,
      Workers.Task<I, O> task,
      Function<O, List<DataFile>> filesOf,
      String window) {
    return runWriting(
        prefixes,
        filesOf,
        window,
        done -> {
          if (workers != Workers.IN_PROCESS) {
            return workers.runAndTell(description, tasks, task);
          }
          // one task at a time, so that the files of those before a failure are known here, also
          // where the FileIO cannot list a folder
          List<O> outputs = new ArrayList<>(tasks.size());
          for (I t : tasks) {
            O output = workers.run(description, List.of(t), task).get(0);
            done.addAll(filesOf.apply(output));
            outputs.add(output);
          }
          return new Workers.Outputs<>(outputs, false);
        });
  }

  /**
   * Runs {@code task} on each slice of rows kept where the workers' tasks read them ({@link
   * Workers#runOnSlices}), with the {@code i}-th input for slice {@code i}, its files named after
   * the {@code i}-th prefix, as {@link #runWriting}: the outputs, in the slices' order.
   */
  <I, O> List<O> runWritingOnSlices(
      String description,
      Workers.Scattered rows,
      Workers.Slicing slicing,
      List<I> inputs,
      List<String> prefixes,
      Workers.SliceTask<I, O> task,
      Function<O, List<DataFile>> filesOf,
      String window) {
    return runWriting(
        prefixes,
        filesOf,
        window,
        done -> workers.runOnSlices(description, rows, slicing, inputs, task));
  }

  /**
   * {@code run} (given a list to add the files of tasks done so far to, where it knows them) as the
   * writing tasks of {@link #runWriting}, cleaning up after them alike.
   */
  private <O> List<O> runWriting(
      List<String> prefixes,
      Function<O, List<DataFile>> filesOf,
      String window,
      Function<List<DataFile>, Workers.Outputs<O>> run) {
    Workers.Outputs<O> ran;
    List<DataFile> done = new ArrayList<>();
    try {
      ran = run.apply(done);
    } catch (RuntimeException e) {
      try {
        discard(done);
        deleteWritten(prefixes, Set.of());
      } catch (RuntimeException deleting) {
        e.addSuppressed(deleting);
      }
      throw e;
    }
    List<DataFile> written = new ArrayList<>();
    ran.outputs().forEach(o -> written.addAll(filesOf.apply(o)));
    if (ran.repeated()) {
      // a task an engine ran again (its first attempt failed after writing, or a speculative
      // copy) leaves the other attempt's file, which no commit will name
      try {
        deleteWritten(prefixes, written.stream().map(f -> name(f.location())).collect(toSet()));
      } catch (RuntimeException deleting) {
        LOG.warn(
            "window {}: could not delete the files of tasks' failed attempts (idem doctor finds"
                + " them): {}",
            window,
            deleting.toString());
      }
    }
    return ran.outputs();
  }

  private static String name(String location) {
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * Rows of one window to write as one data file, wherever the task runs, named after a prefix the
   * driver chose.
   */
  private static final class RowsTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Table table;
    private final org.apache.iceberg.Schema schema;
    private final TableSchema.Layout layout;
    private final String window;
    private final String windowOrder;
    private final String prefix;
    private final Workers.Shared<byte[]> rows;
    private final int count;

    RowsTask(
        Table table,
        org.apache.iceberg.Schema schema,
        TableSchema.Layout layout,
        String window,
        String windowOrder,
        String prefix,
        Workers.Shared<byte[]> rows,
        int count) {
      this.table = table;
      this.schema = schema;
      this.layout = layout;
      this.window = window;
      this.windowOrder = windowOrder;
      this.prefix = prefix;
      this.rows = rows;
      this.count = count;
    }

    DataFile write() {
      ValueCodec.Reader in = new ValueCodec.Reader(rows.get());
      List<Record> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        records.add(layout.record(in.row(), window, windowOrder));
      }
      TableFiles files = inTask(table, schema, null);
      return files.write(records, files.key(records.get(0), null), named(prefix));
    }
  }

  /**
   * A row of a data file holding one of the keys looked for ({@link #lookup}): its place among the
   * file's rows (0 the first, in the order a read gives them), its key ({@link Versions#keyText}),
   * its stored values (idem's Java types) or, when only whether they changed matters, their {@link
   * #digest}, the window that wrote it and that window's order key.
   */
  @SuppressWarnings("ArrayRecordComponent") // the row as read, never compared with equals
  record Match(
      int position, String key, Object[] values, byte[] digest, String window, String windowOrder)
      implements Serializable {}

  /**
   * What one data file holds of the keys looked for: their rows, in the file's order, and how many
   * rows of other keys it has of each window.
   */
  record Lookup(List<Match> matches, Map<String, Long> others) implements Serializable {
    /** How many rows the file held when it was read. */
    long rows() {
      return matches.size() + others.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A data file's rows a change replaces, by their places ({@link Match#position}), of the {@code
   * rows} its lookup read.
   */
  record Drop(BitSet positions, long rows) implements Serializable {}

  /**
   * A digest (SHA-256) of stored values, equal for equal values (by {@link ValueCodec}'s encoding,
   * which tells value classes apart and keeps a decimal's scale, as {@code equals} does).
   */
  static byte[] digest(Object[] values) {
    ValueCodec.Writer encoded = new ValueCodec.Writer(256);
    encoded.row(values);
    return SHA_256.get().digest(encoded.bytes());
  }

  /** A thread's SHA-256 digest, made once: {@code MessageDigest.getInstance} is slow per row. */
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(KeyEncoding::digest);

  /**
   * What each of {@code files} holds of the keys {@code keys} ({@link Versions#keyText} of the
   * stored columns {@code keyPlaces} of {@code names}), in order: read by the workers, the files
   * split into as many tasks as they run at once, each task sent the keys once; only the matching
   * rows come back (their values, or with {@code digests} only their digest), so a window's plan
   * holds those and its own rows, never a table's files whole.
   */
  List<Lookup> lookup(
      List<DataFile> files,
      String[] names,
      int[] keyPlaces,
      Set<String> keys,
      boolean digests,
      String window) {
    if (files.isEmpty()) {
      return List.of();
    }
    int tasks = Math.min(files.size(), workers.parallelism());
    Table shipped = SerializableTable.copyOf(table);
    // the keys sent once to each place that runs tasks, not with each task; a set that travels (a
    // map's key set does not)
    try (Workers.Shared<HashSet<String>> wanted = workers.share(new HashSet<>(keys))) {
      List<LookupTask> inputs = new ArrayList<>(tasks);
      for (int t = 0; t < tasks; t++) {
        List<DataFile> part =
            files.subList(files.size() * t / tasks, files.size() * (t + 1) / tasks);
        inputs.add(
            new LookupTask(
                shipped, schema, names, keyPlaces, wanted, digests, new ArrayList<>(part)));
      }
      List<Lookup> out = new ArrayList<>(files.size());
      workers
          .run(
              "idem window "
                  + window
                  + ": "
                  + keys.size()
                  + " keys looked up in "
                  + files.size()
                  + " data files",
              inputs,
              LookupTask::run)
          .forEach(out::addAll);
      return out;
    }
  }

  /**
   * Writes each file of {@code drops} again without its rows at the positions given ({@link
   * Match#position}), in its partition, a task a file (by the workers): the new files, in order. A
   * file left without rows is not read again and has none. The files the tasks wrote are deleted
   * when one fails.
   */
  List<DataFile> rewrite(Map<DataFile, Drop> drops, String window) {
    Table shipped = SerializableTable.copyOf(table);
    List<RewriteTask> inputs = new ArrayList<>(drops.size());
    drops.forEach(
        (file, drop) -> {
          if (drop.positions().cardinality() < drop.rows()) {
            inputs.add(
                new RewriteTask(
                    shipped, schema, file, drop.positions(), prefix(key(null, file.partition()))));
          }
        });
    if (inputs.isEmpty()) {
      return List.of();
    }
    return runWriting(
        "idem window " + window + ": " + inputs.size() + " data files rewritten",
        inputs,
        inputs.stream().map(t -> t.prefix).toList(),
        RewriteTask::run,
        window);
  }

  /**
   * The files of a table shipped to a task, read and written where it runs (an executor's JVM: the
   * AWS SDK's checksums as the driver asks for them, {@link ObjectStorage#checksums}); a window's
   * new rows written in files named after {@code names} ({@link #newFilePrefix}) if not null.
   */
  static TableFiles inTask(Table table, org.apache.iceberg.Schema schema, String names) {
    try {
      ObjectStorage.checksums(table.io().properties());
    } catch (UnsupportedOperationException e) {
      // a FileIO without properties has no S3 endpoint
    }
    return new TableFiles(table, schema, Workers.IN_PROCESS, names);
  }

  /** Data files read for the rows of some keys, wherever the task runs. */
  private static final class LookupTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Table table;
    private final org.apache.iceberg.Schema schema;
    private final String[] names;
    private final int[] keyPlaces;
    private final Workers.Shared<? extends Set<String>> keys;
    private final boolean digests;
    private final List<DataFile> files;

    LookupTask(
        Table table,
        org.apache.iceberg.Schema schema,
        String[] names,
        int[] keyPlaces,
        Workers.Shared<? extends Set<String>> keys,
        boolean digests,
        List<DataFile> files) {
      this.table = table;
      this.schema = schema;
      this.names = names;
      this.keyPlaces = keyPlaces;
      this.keys = keys;
      this.digests = digests;
      this.files = files;
    }

    List<Lookup> run() {
      TableFiles reader = inTask(table, schema, null);
      Set<String> wanted = keys.get();
      List<Lookup> out = new ArrayList<>(files.size());
      List<Object> key = new ArrayList<>(keyPlaces.length);
      for (DataFile f : files) {
        LOOKED_UP.incrementAndGet();
        List<Match> matches = new ArrayList<>();
        Map<String, Long> others = new HashMap<>();
        int position = 0;
        try (CloseableIterable<Record> rows = reader.rows(f)) {
          for (Record r : rows) {
            key.clear();
            for (int k : keyPlaces) {
              key.add(TableSchema.value(r, names[k]));
            }
            String text = Versions.keyText(key);
            if (wanted.contains(text)) {
              Object[] values = TableSchema.values(r, names);
              matches.add(
                  new Match(
                      position,
                      text,
                      digests ? null : values,
                      digests ? digest(values) : null,
                      TableSchema.window(r),
                      TableSchema.windowOrder(r)));
            } else {
              others.merge(TableSchema.window(r), 1L, Long::sum);
            }
            position++;
          }
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + f.location(), e);
        }
        out.add(new Lookup(matches, others));
      }
      return out;
    }
  }

  /** A data file written again without some of its rows, wherever the task runs. */
  private static final class RewriteTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Table table;
    private final org.apache.iceberg.Schema schema;
    private final DataFile file;
    private final BitSet dropped;
    private final String prefix;

    RewriteTask(
        Table table,
        org.apache.iceberg.Schema schema,
        DataFile file,
        BitSet dropped,
        String prefix) {
      this.table = table;
      this.schema = schema;
      this.file = file;
      this.dropped = dropped;
      this.prefix = prefix;
    }

    /** The file's rows but the dropped ones, streamed from the file into the new one. */
    List<DataFile> run() {
      TableFiles files = inTask(table, schema, null);
      String location = prefix + "-" + UUID.randomUUID() + ".parquet";
      int[] position = {0};
      try (CloseableIterable<Record> rows = files.rows(file);
          CloseableIterable<Record> kept =
              CloseableIterable.filter(rows, r -> !dropped.get(position[0]++))) {
        return List.of(files.write(kept, files.key(null, file.partition()), location));
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + file.location(), e);
      }
    }
  }

  /** The data files of the current snapshot that may hold rows matching {@code filter}. */
  List<DataFile> files(Expression filter) {
    Snapshot current = table.currentSnapshot();
    List<DataFile> files = new ArrayList<>();
    if (current == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(current.snapshotId()).filter(filter).planFiles()) {
      tasks.forEach(t -> files.add(t.file()));
    } catch (IOException e) {
      throw new UncheckedIOException("planning a scan of " + table.name(), e);
    }
    return files;
  }

  /** The rows of a data file, as {@link #schema()}, read as they are needed. */
  private CloseableIterable<Record> rows(DataFile file) {
    return Parquet.read(table.io().newInputFile(file.location()))
        .project(schema)
        .createReaderFunc(s -> GenericParquetReaders.buildReader(schema, s))
        .build();
  }

  /**
   * {@code files} less those at the location of one of {@code others}: by location, since a file a
   * task returns is a copy of the driver's.
   */
  static List<DataFile> without(List<DataFile> files, List<DataFile> others) {
    Set<String> locations = new HashSet<>();
    others.forEach(f -> locations.add(f.location()));
    List<DataFile> out = new ArrayList<>(files);
    out.removeIf(f -> locations.contains(f.location()));
    return out;
  }

  /** Removes files written for a commit that did not happen. */
  void discard(List<DataFile> written) {
    written.forEach(f -> table.io().deleteFile(f.location()));
  }
}
