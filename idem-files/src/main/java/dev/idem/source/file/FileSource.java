package dev.idem.source.file;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.key.KeyEncoding;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.BadValue;
import dev.idem.source.Dataset;
import dev.idem.source.ObservesSchema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What file sources share (CSV and JSON lines here; Parquet in the {@code idem-iceberg} plugin):
 * windows over a {@link FileSet}. A format subclasses it with {@link #open}, a {@link Rows} per
 * file.
 *
 * <ul>
 *   <li>{@code file}: one window per file, id = relative path; fingerprint {@code
 *       file:<size>:<sha256 of the bytes>}, computed without parsing.
 *   <li>{@code full}, {@code batch}: all files in order, one window; fingerprint over all files'
 *       bytes.
 *   <li>{@code day}, {@code hour}: every record is assigned by its window column. A scan of a file
 *       learns which window ids it holds; the result is remembered by the SHA-256 of the file's
 *       bytes (in this process, and across processes in the {@link ScanCache} when one is given),
 *       so a changed file is scanned again and an unchanged one is hashed, never parsed twice.
 *       Reading a window opens only the files that hold it. Fingerprint over the bytes of the files
 *       that hold the window.
 * </ul>
 *
 * <p>A file's hash is computed once per process while the file stays as it was: same size,
 * modification time, inode and status-change time ({@code ctime}, which every write sets and no
 * user can set back; where the file system has none, as on Windows, size, modification time and
 * file key). Across processes a file is always hashed again, whatever its size and times.
 *
 * <p>Read with an {@link ObservedSchema} ({@link #read(WindowSpec, Window, ObservedSchema)}), a
 * file's columns are reported as it is opened (CSV) or per record returned (JSON lines), a declared
 * column a file lacks reads as null, and a value that is not of its column's type is a bad record
 * that retypes the column. Read without one, a declared column a CSV header lacks fails the read.
 */
public abstract class FileSource implements Source, ObservesSchema {
  protected final FileSet files;
  protected final Schema schema;

  private final ScanCache cache;

  /** Scans by {@link ScanCache#key}: the file's bytes, under this source's rules. */
  private final Map<String, Scan> scans = new ConcurrentHashMap<>();

  /** Each file's hash, while its {@link Stamp} is the one it had when hashed. */
  private final Map<Path, Hashed> hashes = new ConcurrentHashMap<>();

  /** Files this source read whole to hash them, and parsed to learn their windows. */
  private final AtomicInteger hashed = new AtomicInteger();

  private final AtomicInteger parsed = new AtomicInteger();

  /**
   * What a file holds for a time window spec: its window ids, and how many of its records have no
   * window (unreadable, or a window column that cannot be parsed). Those go to the dead letters of
   * the file's first window, so each is dead-lettered exactly once.
   */
  private record Scan(Set<String> windowIds, long unassigned) {
    String first() {
      return windowIds.iterator().next();
    }
  }

  protected FileSource(FileSet files, Schema schema, ScanCache cache) {
    this.files = Objects.requireNonNull(files, "files");
    this.schema = Objects.requireNonNull(schema, "schema");
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  /** Yes: a reader holds its own open file and parser, nothing shared with another reader. */
  @Override
  public boolean readsOnAnyThread() {
    return true;
  }

  /** The files' absolute path or glob, in the {@code file} namespace. */
  @Override
  public Dataset dataset() {
    return new Dataset("file", files.base().resolve(files.pattern()).toString());
  }

  /**
   * Opens one file for reading; with {@code observed} (may be null), reporting its schema into it.
   */
  protected abstract Rows open(Path file, String relative, ObservedSchema observed)
      throws IOException;

  /**
   * Opens {@code part} of one file, as {@link #open(Path, String, ObservedSchema)} opens the whole
   * of it: its rows numbered as in the whole file's read. Only a format that {@link #parts splits}
   * files has parts other than {@link FilePart#WHOLE}.
   */
  protected Rows open(Path file, String relative, ObservedSchema observed, FilePart part)
      throws IOException {
    if (!part.whole()) {
      throw new IllegalArgumentException(describe() + " does not read files in parts: " + part);
    }
    return open(file, relative, observed);
  }

  /**
   * The parts {@code file} can be read in apart, in order, each of consecutive blocks of about
   * {@code bytes} together (one block at least): {@link FilePart#WHOLE} alone, unless the format
   * stores a file in independent blocks (Parquet's row groups) or reads it by lines ({@link
   * TextPart}).
   */
  protected List<FilePart> parts(Path file, long bytes) throws IOException {
    return List.of(FilePart.WHOLE);
  }

  /**
   * The line breaks in the bytes of {@code block}, a text part of this source's one file ({@link
   * #inputFiles(WindowSpec, Window, long)}): an engine adds up the counts of a file's blocks before
   * each part ({@link FilePart#counted}), so that a part's reader need not read the file before it
   * to number its lines.
   */
  public final long lineBreaks(FilePart block) throws IOException {
    List<Path> all = files.files();
    if (all.size() != 1 || block.blockBytes() == 0) {
      throw new IllegalStateException(
          "line breaks of a text part are counted by a source of its one file, not " + describe());
    }
    return TextPart.lineBreaks(all.get(0), block);
  }

  @Override
  public final Schema schema() {
    return schema;
  }

  /**
   * The input files' names, in the order a window reads them: their paths relative to {@link
   * #inputBase()} (an absolute path for a file outside it), as in positions and file window ids. An
   * engine that reads each file in a task of its own (Spark) gives each task a source of that one
   * file ({@code --set source.path=...}) whose names are the same.
   */
  public final List<String> inputFiles() throws IOException {
    return files.files().stream().map(files::relative).toList();
  }

  /**
   * The directory the input files' names are relative to: the pipeline file's for a relative {@code
   * source.path}, the part before the first glob segment for an absolute one.
   */
  public final Path inputBase() {
    return files.base();
  }

  @Override
  public final List<Window> windows(WindowSpec spec) throws IOException {
    List<Path> all = files.files();
    return switch (spec.kind()) {
      case FULL -> List.of(Window.full());
      // a batch window's id is given by the caller; the input itself names none
      case BATCH -> List.of();
      case FILE -> all.stream().map(f -> spec.window(files.relative(f))).toList();
      case OFFSETS -> throw offsetsRefused();
      case DAY, HOUR -> {
        Set<String> ids = new TreeSet<>();
        for (Scan s : scanAll(spec, all)) {
          ids.addAll(s.windowIds());
        }
        yield ids.stream().map(spec::window).toList();
      }
    };
  }

  /**
   * The scans of {@code all}, in their order. Files not known yet are parsed on up to one thread
   * per core (a first load parses every file once before its first window, on the critical path); a
   * failure is the one the first failing file in order gives, as when they were scanned one by one.
   */
  private List<Scan> scanAll(WindowSpec spec, List<Path> all) throws IOException {
    int threads = Math.min(all.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      List<Scan> scans = new ArrayList<>();
      for (Path f : all) {
        scans.add(scan(spec, f));
      }
      return scans;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "idem-scan");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Scan>> futures = new ArrayList<>();
      for (Path f : all) {
        futures.add(pool.submit(() -> scan(spec, f)));
      }
      List<Scan> scans = new ArrayList<>();
      for (Future<Scan> future : futures) {
        scans.add(done(future));
      }
      return scans;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Scan done(Future<Scan> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while scanning the input files");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static ConfigException offsetsRefused() {
    return new ConfigException(
        "offsets windows are for stream sources (kafka): files have full, batch, file, day or hour windows");
  }

  /**
   * An input file of a window as a reader of one file reads it ({@link #read(WindowSpec, Window,
   * ObservedSchema, InputFile, FilePart)}): its name (as in {@link #inputFiles()}), the parts (of
   * about {@code bytes} each) it can be read in apart, and whether the window's reader returns the
   * file's records without a window as bad (the file's first window does, for a day or hour window;
   * every window of another kind).
   */
  public record InputFile(String name, List<FilePart> parts, boolean keepsUnassigned)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    public InputFile {
      parts = List.copyOf(parts);
    }
  }

  /**
   * The input files a reader of {@code window} opens, in the order it reads them (for a day or hour
   * window only the files that hold records of it), each with what a reader of that one file (or of
   * a part of it) needs to know of it: an engine that reads each file, or each part of a large one,
   * in a task of its own (Spark) needs tasks for these only, and they need not scan the file for
   * its windows again.
   */
  public final List<InputFile> inputFiles(WindowSpec spec, Window window, long bytes)
      throws IOException {
    List<InputFile> input = new ArrayList<>();
    for (Path f : windowPaths(spec, window)) {
      boolean keeps = !timed(spec) || keepsUnassigned(scan(spec, f), window);
      input.add(new InputFile(files.relative(f), parts(f, bytes), keeps));
    }
    return input;
  }

  private static boolean timed(WindowSpec spec) {
    return spec.kind() == WindowKind.DAY || spec.kind() == WindowKind.HOUR;
  }

  private static boolean keepsUnassigned(Scan s, Window window) {
    return s.unassigned() > 0 && s.first().equals(window.id());
  }

  /** The input files a reader of {@code window} opens, in the order it reads them. */
  protected final List<Path> windowPaths(WindowSpec spec, Window window) throws IOException {
    List<Path> all = files.files();
    return switch (spec.kind()) {
      case FULL, BATCH -> all;
      case FILE -> List.of(file(all, window));
      case OFFSETS -> throw offsetsRefused();
      case DAY, HOUR -> holding(spec, window, all);
    };
  }

  /** The files among {@code all} that hold records of a day or hour {@code window}. */
  private List<Path> holding(WindowSpec spec, Window window, List<Path> all) throws IOException {
    List<Path> holding = new ArrayList<>();
    for (Path f : all) {
      if (scan(spec, f).windowIds().contains(window.id())) {
        holding.add(f);
      }
    }
    return holding;
  }

  @Override
  public final RecordReader read(WindowSpec spec, Window window) throws IOException {
    return reader(spec, window, null);
  }

  @Override
  public final RecordReader read(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    return reader(spec, window, Objects.requireNonNull(observed, "observed"));
  }

  /**
   * As {@link #read(WindowSpec, Window, ObservedSchema)}, of {@code part} of {@code file}, an input
   * file of the window ({@link #inputFiles(WindowSpec, Window, long)}) that this source holds alone
   * (a task's source, narrowed to that file): the window's records in that part, with the
   * positions, values and problems the whole window's read gives them. The file is not scanned for
   * its windows again.
   */
  public final RecordReader read(
      WindowSpec spec, Window window, ObservedSchema observed, InputFile file, FilePart part)
      throws IOException {
    List<Path> all = files.files();
    if (all.size() != 1 || !files.relative(all.get(0)).equals(file.name())) {
      throw new IllegalStateException(
          "input file " + file.name() + " is read by a source of that one file, not " + describe());
    }
    Set<Path> keeps = file.keepsUnassigned() ? Set.copyOf(all) : Set.of();
    return records(
        spec,
        window,
        timed(spec) ? all : windowPaths(spec, window),
        keeps,
        Objects.requireNonNull(observed, "observed"),
        part);
  }

  private RecordReader reader(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    List<Path> all = files.files();
    FilePart whole = FilePart.WHOLE;
    return switch (spec.kind()) {
      case FULL, BATCH -> records(spec, window, all, Set.copyOf(all), observed, whole);
      case FILE -> {
        Path f = file(all, window);
        yield records(spec, window, List.of(f), Set.of(f), observed, whole);
      }
      case OFFSETS -> throw offsetsRefused();
      case DAY, HOUR -> {
        List<Path> holding = holding(spec, window, all);
        Set<Path> keepsUnassigned = new HashSet<>();
        for (Path f : holding) {
          if (keepsUnassigned(scan(spec, f), window)) {
            keepsUnassigned.add(f);
          }
        }
        yield records(spec, window, holding, keepsUnassigned, observed, whole);
      }
    };
  }

  /**
   * A reader of {@code part} of each of {@code paths} in turn, returning the records without a
   * window of those in {@code keepsUnassigned} as bad: for a day or hour window only its records.
   */
  private RecordReader records(
      WindowSpec spec,
      Window window,
      List<Path> paths,
      Set<Path> keepsUnassigned,
      ObservedSchema observed,
      FilePart part) {
    return timed(spec)
        ? new FileRecordReader(
            paths,
            schema.require(spec.column(), "window column"),
            spec,
            window.id(),
            keepsUnassigned,
            observed,
            part)
        : new FileRecordReader(paths, -1, null, null, keepsUnassigned, observed, part);
  }

  /**
   * Cheap fingerprints, from file bytes rather than parsed records: a file window's file ({@code
   * file:<size>:<sha256>}); for other kinds, every file that holds records of the window ({@code
   * files:<sha256>} over each one's relative path, size and SHA-256). A change to any of those
   * files changes it, so the window is reloaded; hashing bytes costs a fraction of parsing.
   */
  @Override
  public final Optional<String> fingerprint(WindowSpec spec, Window window) throws IOException {
    List<Path> all = files.files();
    if (spec.kind() == WindowKind.FILE) {
      Path f = file(all, window);
      FileHash h = hash(f);
      return Optional.of("file:" + h.size() + ":" + h.sha256());
    }
    List<Path> holding = new ArrayList<>();
    for (Path f : all) {
      if (!spec.timeBased() || scan(spec, f).windowIds().contains(window.id())) {
        holding.add(f);
      }
    }
    MessageDigest md = KeyEncoding.digest();
    for (Path f : holding) {
      FileHash h = hash(f);
      KeyEncoding.update(md, files.relative(f), h.size(), h.sha256());
    }
    return Optional.of("files:" + holding.size() + ":" + HexFormat.of().formatHex(md.digest()));
  }

  private record FileHash(long size, String sha256) {}

  /**
   * The SHA-256 of the file's bytes, hex: computed again unless the file is unchanged since this
   * process hashed it (as for the fingerprints).
   */
  protected final String contentHash(Path f) throws IOException {
    return hash(f).sha256();
  }

  /**
   * What tells, within a process, that a file was not written since it was hashed: its size,
   * modification time, inode and status-change time.
   */
  private record Stamp(long size, Object modified, Object changed, Object inode) {
    /**
     * The file's stamp; where the file system has no status-change time (no {@code unix} view), its
     * size, modification time and file key only.
     */
    static Stamp of(Path f) throws IOException {
      try {
        Map<String, Object> a = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino");
        return new Stamp(
            (Long) a.get("size"), a.get("lastModifiedTime"), a.get("ctime"), a.get("ino"));
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return new Stamp(a.size(), a.lastModifiedTime(), null, a.fileKey());
      }
    }
  }

  private record Hashed(Stamp stamp, FileHash hash) {}

  /** The file's size and SHA-256: computed again unless it is unchanged since this process did. */
  private FileHash hash(Path f) throws IOException {
    Stamp before = Stamp.of(f);
    Hashed known = hashes.get(f);
    if (known != null && known.stamp().equals(before)) {
      return known.hash();
    }
    FileHash h = hashBytes(f);
    hashed.incrementAndGet();
    if (before.equals(Stamp.of(f))) {
      hashes.put(f, new Hashed(before, h));
    }
    return h;
  }

  private static FileHash hashBytes(Path f) throws IOException {
    MessageDigest md = KeyEncoding.digest();
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        size += n;
      }
    }
    return new FileHash(size, HexFormat.of().formatHex(md.digest()));
  }

  private Path file(List<Path> all, Window window) {
    for (Path f : all) {
      if (files.relative(f).equals(window.id())) {
        return f;
      }
    }
    throw new DataException(
        "window '"
            + window.id()
            + "': no input file with that path matches '"
            + files.pattern()
            + "'");
  }

  /**
   * What the file holds under {@code spec}: remembered by its bytes' hash in this process, then
   * looked up in the {@link ScanCache}, else parsed (and remembered in both, unless the file was
   * written while it was parsed).
   */
  private Scan scan(WindowSpec spec, Path file) throws IOException {
    Stamp stamp = Stamp.of(file);
    String key = scanKey(spec, hash(file));
    Scan known = known(key);
    if (known != null) {
      return known;
    }
    Scan s = parse(spec, file);
    if (stamp.equals(Stamp.of(file))) { // else written while parsed: the hash may not be of it
      remember(key, s);
    }
    return s;
  }

  /** What addresses a scan: the file's bytes, under this source's rules ({@link ScanCache#key}). */
  private String scanKey(WindowSpec spec, FileHash h) {
    return ScanCache.key(describe() + "|" + schema + "|" + spec, h.size(), h.sha256());
  }

  /** The scan of {@code key} remembered in this process or found in the cache, else null. */
  private Scan known(String key) {
    Scan known = scans.get(key);
    if (known != null) {
      return known;
    }
    Optional<ScanCache.Entry> cached = cache.get(key);
    if (cached.isEmpty()) {
      return null;
    }
    Scan s = new Scan(cached.get().windowIds(), cached.get().unassigned());
    scans.put(key, s);
    return s;
  }

  private void remember(String key, Scan s) {
    scans.put(key, s);
    cache.put(key, new ScanCache.Entry(s.windowIds(), s.unassigned()));
  }

  /**
   * A file's size and SHA-256 as an engine's task computed them on a source of that one file
   * ({@link #hashFile}), with the file's {@code stamp} while it did (null if the file was written
   * meanwhile), for the source of all files to take ({@link #learnHashes}).
   */
  public record HashedFile(String name, String stamp, long size, String sha256)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * What an engine's task found scanning {@code part} of a file under a day or hour window spec on
   * a source of that one file ({@link #scanFile}): the window ids it holds and how many of its
   * records have none, with the file's {@code stamp} while it did (null if the file was written
   * meanwhile); {@code failed} when the scan failed (no window column; joined, also the file
   * unreadable as a whole), which the source of all files then meets itself, as without an engine;
   * {@code stopped} when it stopped at a record the reader cannot move past (a CSV syntax error).
   */
  public record ScannedFile(
      String name,
      String stamp,
      List<String> windowIds,
      long unassigned,
      boolean failed,
      FilePart part,
      boolean stopped)
      implements Serializable {
    private static final long serialVersionUID = 2L;

    public ScannedFile {
      windowIds = List.copyOf(windowIds);
    }

    /**
     * The scan of the whole file made of the scans of its parts, all of them in order: the union of
     * their windows, the sum of their records without one; null when a part before the last
     * stopped, where the whole file's reader stops too, or where a part's text ends inside a quoted
     * field that holds a line break and the next part started inside that record ({@link
     * TextPart}), or where the scans are not the file's parts one after another from its first: the
     * file is then to be scanned whole. Failed when a part failed, or no record has a window but
     * some have a problem (the file as a whole is unreadable), as a whole file's scan.
     */
    static ScannedFile joined(List<ScannedFile> parts) {
      ScannedFile first = parts.get(0);
      Set<String> ids = new TreeSet<>();
      long unassigned = 0;
      boolean failed = false;
      String stamp = first.stamp();
      long next = 0; // the block the next part starts at
      for (int i = 0; i < parts.size(); i++) {
        ScannedFile p = parts.get(i);
        if (!p.name().equals(first.name()) || p.part().first() != next) {
          return null; // not the file's parts one after another: it is scanned whole
        }
        if (p.stopped() && i + 1 < parts.size()) {
          return null;
        }
        next = (long) p.part().first() + p.part().count();
        ids.addAll(p.windowIds());
        unassigned += p.unassigned();
        failed |= p.failed();
        stamp = Objects.equals(stamp, p.stamp()) ? stamp : null;
      }
      if (failed || (ids.isEmpty() && unassigned > 0)) {
        return new ScannedFile(first.name(), stamp, List.of(), 0, true, FilePart.WHOLE, false);
      }
      return new ScannedFile(
          first.name(),
          stamp,
          List.copyOf(ids),
          unassigned,
          false,
          FilePart.WHOLE,
          parts.get(parts.size() - 1).stopped());
    }
  }

  /**
   * The input files (their names, as in {@link #inputFiles()}) whose hash this process does not
   * know for the files as they are now: a window's fingerprint, or a scan's lookup, would read them
   * whole.
   */
  public final List<String> unhashedFiles() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path f : files.files()) {
      Hashed known = hashes.get(f);
      if (known == null || !known.stamp().equals(Stamp.of(f))) {
        names.add(files.relative(f));
      }
    }
    return names;
  }

  /**
   * The input files whose scan under a day or hour {@code spec} is neither remembered in this
   * process nor in the scan cache (hashing the files whose hash is not known): listing the windows
   * would parse them. None for other specs, which scan nothing.
   */
  public final List<String> unscannedFiles(WindowSpec spec) throws IOException {
    List<String> names = new ArrayList<>();
    if (!timed(spec)) {
      return names;
    }
    for (Path f : files.files()) {
      if (known(scanKey(spec, hash(f))) == null) {
        names.add(files.relative(f));
      }
    }
    return names;
  }

  /**
   * The SHA-256 of the bytes of input files {@code names} as they are now (named as in {@link
   * #inputFiles()}; each hashed once while it stays unwritten, as for the windows' fingerprints),
   * by name: what an engine may key what it learnt of a file's bytes by. A name that is no input
   * file any more has none.
   */
  public final Map<String, String> sha256(Set<String> names) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, Path> f : byName().entrySet()) {
      if (names.contains(f.getKey())) {
        out.put(f.getKey(), hash(f.getValue()).sha256());
      }
    }
    return out;
  }

  /** On a source of one file (an engine's task): the file's size and SHA-256. */
  public final HashedFile hashFile() throws IOException {
    Path f = onlyFile();
    String before = Stamp.of(f).toString();
    FileHash h = hashBytes(f);
    return new HashedFile(files.relative(f), stamp(f, before), h.size(), h.sha256());
  }

  /**
   * On a source of one file (an engine's task): the scan of {@code part} of the file (one of {@link
   * #partsOf}, or {@link FilePart#WHOLE}) under a day or hour {@code spec}; the scans of all its
   * parts make the one the source of all files makes ({@link #learnScans}). A text part's line
   * numbers need not be counted: a scan tells its records apart by them within the part only.
   */
  public final ScannedFile scanFile(WindowSpec spec, FilePart part) throws IOException {
    Path f = onlyFile();
    String name = files.relative(f);
    String before = Stamp.of(f).toString();
    Parsed p;
    try {
      p = parse(spec, f, part.uncounted() ? part.counted(0) : part);
    } catch (DataException e) {
      return new ScannedFile(name, before, List.of(), 0, true, part, false);
    }
    return new ScannedFile(
        name, stamp(f, before), List.copyOf(p.ids()), p.unassigned(), false, part, p.stopped());
  }

  /**
   * The parts input file {@code name} (as in {@link #inputFiles()}) can be read, or scanned, in
   * apart, each of about {@code bytes} ({@link #inputFiles(WindowSpec, Window, long)}).
   */
  public final List<FilePart> partsOf(String name, long bytes) throws IOException {
    Path f = byName().get(name);
    if (f == null) {
      throw new NoSuchFileException(name, null, "no longer an input file of " + describe());
    }
    return parts(f, bytes);
  }

  /** {@code before}, if the file's stamp is that still, else null (written while read). */
  private static String stamp(Path f, String before) throws IOException {
    return Stamp.of(f).toString().equals(before) ? before : null;
  }

  private Path onlyFile() throws IOException {
    List<Path> all = files.files();
    if (all.size() != 1) {
      throw new IllegalStateException(describe() + " is not a source of one file");
    }
    return all.get(0);
  }

  /**
   * Takes the hashes an engine's tasks computed ({@link #hashFile}) as this source's own, each if
   * its file's stamp is the one it had then, as this process sees it: how many were taken.
   */
  public final int learnHashes(List<HashedFile> computed) throws IOException {
    Map<String, Path> byName = byName();
    int taken = 0;
    for (HashedFile h : computed) {
      Path f = byName.get(h.name());
      if (f == null || h.stamp() == null) {
        continue;
      }
      Stamp now = Stamp.of(f);
      if (now.toString().equals(h.stamp())) {
        hashes.put(f, new Hashed(now, new FileHash(h.size(), h.sha256())));
        taken++;
      }
    }
    return taken;
  }

  /**
   * Takes the scans an engine's tasks made under a day or hour {@code spec} ({@link #scanFile}),
   * each file's parts one after another, all of them, in order, as this source's own (remembered,
   * and kept in the scan cache), each file's if its parts' scans join ({@link ScannedFile#joined})
   * and did not fail, and its stamp is the one it had then and when this process hashed it: how
   * many files' scans were taken. A scan not taken is made here when needed.
   */
  public final int learnScans(WindowSpec spec, List<ScannedFile> made) throws IOException {
    if (!timed(spec)) {
      return 0;
    }
    Map<String, Path> byName = byName();
    int taken = 0;
    int start = 0;
    while (start < made.size()) {
      int end = start + 1;
      while (end < made.size() && made.get(end).name().equals(made.get(start).name())) {
        end++;
      }
      ScannedFile s = ScannedFile.joined(made.subList(start, end));
      start = end;
      Path f = s == null ? null : byName.get(s.name());
      if (f == null || s.failed() || s.stamp() == null) {
        continue;
      }
      Stamp now = Stamp.of(f);
      Hashed known = hashes.get(f);
      if (known != null && known.stamp().equals(now) && now.toString().equals(s.stamp())) {
        remember(
            scanKey(spec, known.hash()),
            new Scan(Collections.unmodifiableSet(new TreeSet<>(s.windowIds())), s.unassigned()));
        taken++;
      }
    }
    return taken;
  }

  /** The input files by name. */
  private Map<String, Path> byName() throws IOException {
    Map<String, Path> byName = new HashMap<>();
    for (Path f : files.files()) {
      byName.put(files.relative(f), f);
    }
    return byName;
  }

  /** How many input files this source read whole to hash them, since it was made. */
  public final int filesHashed() {
    return hashed.get();
  }

  /** How many input files this source parsed to learn their windows, since it was made. */
  public final int filesScanned() {
    return parsed.get();
  }

  private Scan parse(WindowSpec spec, Path file) throws IOException {
    Parsed p = parse(spec, file, FilePart.WHOLE);
    if (p.ids().isEmpty() && p.firstProblem() != null) {
      // no window to keep its dead letters in: the file as a whole is unreadable
      throw p.firstProblem();
    }
    return new Scan(Collections.unmodifiableSet(p.ids()), p.unassigned());
  }

  /**
   * What a scan of {@code part} of a file found: the window ids, how many records have none, the
   * first of their problems, and whether the scan stopped at a record the reader cannot move past
   * (a CSV syntax error: nothing after it is read, by the whole file's reader either).
   */
  private record Parsed(
      Set<String> ids, long unassigned, DataException firstProblem, boolean stopped) {}

  private Parsed parse(WindowSpec spec, Path file, FilePart part) throws IOException {
    parsed.incrementAndGet();
    int column = schema.require(spec.column(), "window column");
    Set<String> ids = new TreeSet<>();
    long unassigned = 0;
    DataException firstProblem = null;
    String lastProblem = null;
    boolean stopped = false;
    // tolerant of missing columns (a window's load judges them by its policy), but not of a missing
    // window column
    ObservedSchema header = ObservedSchema.of(schema, DriftPolicy.DISCARD);
    try (Rows rows = open(file, files.relative(file), header, part)) {
      if (header.lacks(column)) {
        throw new DataException(
            files.relative(file)
                + ":1: the input has no column '"
                + spec.column()
                + "', the window column");
      }
      while (true) {
        try {
          if (!rows.next()) {
            break;
          }
          ids.add(assign(spec, rows.value(column), rows.position()));
        } catch (DataException e) {
          if (rows.position().equals(lastProblem)) {
            // the reader cannot move past this record (a CSV syntax error): the rest of the file is
            // unreadable, and every window reading the file fails there (see FileRecordReader)
            stopped = true;
            break;
          }
          lastProblem = rows.position();
          unassigned++;
          firstProblem = firstProblem == null ? e : firstProblem;
        }
      }
    }
    return new Parsed(ids, unassigned, firstProblem, stopped);
  }

  private static String assign(WindowSpec spec, Object value, String position) {
    try {
      return spec.assign(value).id();
    } catch (DataException e) {
      throw new DataException(position + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads files one after another; for a time window, only the records assigned to it. A record
   * that cannot be read or typed is returned as {@link SourceRecord#bad} (by the window it belongs
   * to; one without a readable window, by the window its file keeps those in), and reading goes on.
   */
  private final class FileRecordReader implements RecordReader {
    private final List<Path> paths;
    private final int windowColumn;
    private final WindowSpec spec;
    private final String windowId;

    /** Files whose records without a window this reader returns as bad. */
    private final Set<Path> keepsUnassigned;

    private int nextFile;
    private Rows current;
    private boolean currentKeepsUnassigned;
    private String lastBad;
    private String lastSkipped;

    /** Null for a read that observes nothing. */
    private final ObservedSchema observed;

    /** What of each file is read: of a source of one file, maybe a part of it. */
    private final FilePart part;

    FileRecordReader(
        List<Path> paths,
        int windowColumn,
        WindowSpec spec,
        String windowId,
        Set<Path> keepsUnassigned,
        ObservedSchema observed,
        FilePart part) {
      this.paths = paths;
      this.windowColumn = windowColumn;
      this.spec = spec;
      this.windowId = windowId;
      this.keepsUnassigned = keepsUnassigned;
      this.observed = observed;
      this.part = part;
    }

    @Override
    public SourceRecord next() throws IOException {
      while (true) {
        if (current == null) {
          if (nextFile == paths.size()) {
            return null;
          }
          Path f = paths.get(nextFile++);
          current = open(f, files.relative(f), observed, part);
          currentKeepsUnassigned = keepsUnassigned.contains(f);
        }
        try {
          if (!current.next()) {
            current.close();
            current = null;
            continue;
          }
        } catch (DataException e) {
          if (currentKeepsUnassigned) {
            observeBad(); // what the record showed before it failed (a JSON key holding a value of
            // another type)
            return bad(e);
          }
          skipped(e);
          continue;
        }
        boolean keep = observed != null && observed.keepsAdded();
        Object[] values = new Object[schema.size() + (keep ? observed.added() : 0)];
        if (windowId != null) {
          try {
            Object w = value(windowColumn);
            values[windowColumn] = w;
            if (!windowId.equals(assign(spec, w, current.position()))) {
              continue;
            }
          } catch (DataException e) {
            if (currentKeepsUnassigned) {
              observeBad();
              return bad(e);
            }
            skipped(e);
            continue;
          }
        }
        List<BadValue> badValues = null;
        try {
          observe();
          for (int i = 0; i < schema.size(); i++) {
            if (i != windowColumn) {
              try {
                values[i] = value(i);
              } catch (DataException e) {
                badValues = badValues == null ? new ArrayList<>() : badValues;
                badValues.add(badValue(i, e));
              }
            }
          }
          if (keep) {
            values = added(values);
          } else if (observed != null && badValues == null) {
            // a record with bad values is counted by what becomes of it, not as dropping these
            observed.dropped(current.addedValues());
          }
        } catch (DataException e) {
          return bad(e);
        }
        return badValues == null
            ? new SourceRecord(values, current.position())
            : SourceRecord.withBadValues(values, current.position(), current.raw(), badValues);
      }
    }

    /**
     * A record without a window that another window's reader keeps: skipped, unless the reader
     * cannot move past it. Then the rest of the file is unreadable and may hold records of this
     * window, so this window fails too rather than load without them (the record itself is a dead
     * letter of the window that keeps it).
     */
    private void skipped(DataException e) {
      String position = current.position();
      if (position.equals(lastSkipped)) {
        throw new DataException(
            e.getMessage()
                + "; records of window "
                + windowId
                + " after it cannot be read, so the window fails rather than load without them",
            e);
      }
      lastSkipped = position;
    }

    private void observe() {
      if (observed != null) {
        current.observe();
      }
    }

    /**
     * What a record that is a dead letter for another reason showed: a column it shows that cannot
     * be kept (under evolve) stays untyped, and the record is a dead letter all the same.
     */
    private void observeBad() {
      try {
        observe();
      } catch (DataException refused) {
        // the record is a dead letter already, for the reason it was read with
      }
    }

    /** Schema column {@code i}'s value; one not of the column's type is a {@link RetypedValue}. */
    private Object value(int i) {
      try {
        return current.value(i);
      } catch (DataException e) {
        DataType t = observed == null ? null : current.typeOf(i);
        throw t == null ? e : new RetypedValue(e, schema.column(i).name(), t);
      }
    }

    /**
     * The declared values followed by the added columns' (a record may show columns the observation
     * learnt only now).
     */
    private Object[] added(Object[] values) {
      Object[] all =
          values.length == schema.size() + observed.added()
              ? values
              : Arrays.copyOf(values, schema.size() + observed.added());
      for (int k = 0; k < observed.added(); k++) {
        Column c = observed.column(k);
        if (c != null) {
          all[schema.size() + k] = current.addedValue(k, c);
        }
      }
      return all;
    }

    /**
     * Schema column {@code i}'s value that could not be typed: its column retyped in the
     * observation, and the value with why, without the record's position (the record carries it).
     */
    private BadValue badValue(int i, DataException e) {
      String position = current.position();
      if (e instanceof RetypedValue r && observed != null) {
        observed.retyped(r.column, r.type, position);
      }
      String message = e.getMessage();
      String reason =
          message.startsWith(position + ": ") ? message.substring(position.length() + 2) : message;
      return new BadValue(schema.column(i).name(), current.text(i), reason);
    }

    private SourceRecord bad(DataException e) {
      String position = current.position();
      if (e instanceof RetypedValue r && observed != null) {
        observed.retyped(r.column, r.type, position);
      }
      if (position.equals(lastBad)) {
        // the reader cannot move past this point (e.g. undecodable bytes): stop with the error
        // rather than skip the rest of the file unseen
        throw e;
      }
      lastBad = position;
      String message = e.getMessage();
      String reason =
          message.startsWith(position + ": ") ? message.substring(position.length() + 2) : message;
      return SourceRecord.bad(position, current.raw(), reason);
    }

    @Override
    public void close() throws IOException {
      if (current != null) {
        current.close();
        current = null;
      }
    }
  }
}
