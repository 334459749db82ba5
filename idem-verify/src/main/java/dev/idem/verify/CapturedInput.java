package dev.idem.verify;

import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.BadValue;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A pipeline's input for a list of windows, read once from the real source and kept in local files,
 * so that every check of a verification replays exactly the same records and a JDBC or Kafka source
 * is not read again. {@link #source()} replays it; {@link #withOneValueChanged} makes a copy in
 * which one record of one window differs.
 */
public final class CapturedInput implements AutoCloseable {
  private final Schema schema;
  private final String describe;
  private final Path dir;
  private final Map<String, WindowFile> windows;

  private record WindowFile(Window window, Path file, long records, String sha256) {}

  private CapturedInput(Schema schema, String describe, Path dir, Map<String, WindowFile> windows) {
    this.schema = schema;
    this.describe = describe;
    this.dir = dir;
    this.windows = windows;
  }

  /**
   * Reads every window of {@code windows} from {@code source} into files under a new temporary
   * folder.
   */
  public static CapturedInput capture(Source source, WindowSpec spec, List<Window> windows) {
    Path dir = tempDir();
    Map<String, WindowFile> files = new LinkedHashMap<>();
    try {
      int i = 0;
      for (Window w : windows) {
        Path file = dir.resolve("window-" + i++ + ".bin");
        try (RecordReader reader = source.read(spec, w)) {
          files.put(w.id(), write(w, file, () -> reader.next()));
        }
      }
    } catch (IOException | RuntimeException e) {
      delete(dir);
      if (e instanceof IdemException ie) {
        throw ie;
      }
      throw new TransientException(
          "capturing the input of " + source.describe() + ": " + e.getMessage(), e);
    }
    return new CapturedInput(source.schema(), source.describe(), dir, files);
  }

  /** The captured windows, in the order they were given. */
  public List<Window> windows() {
    return windows.values().stream().map(WindowFile::window).toList();
  }

  /** Records captured for a window. */
  public long records(String windowId) {
    return file(windowId).records();
  }

  /** The records of one window, in captured order. */
  public List<SourceRecord> read(String windowId) {
    List<SourceRecord> all = new ArrayList<>();
    try (Replay r = new Replay(file(windowId).file())) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        all.add(rec);
      }
    }
    return all;
  }

  /** A source that replays the captured records; its description is the original source's. */
  public Source source() {
    return new Source() {
      @Override
      public Schema schema() {
        return schema;
      }

      @Override
      public List<Window> windows(WindowSpec spec) {
        return CapturedInput.this.windows();
      }

      @Override
      public RecordReader read(WindowSpec spec, Window window) {
        WindowFile f = windows.get(window.id());
        return f == null ? EMPTY : new Replay(f.file());
      }

      @Override
      public Optional<String> fingerprint(WindowSpec spec, Window window) {
        WindowFile f = windows.get(window.id());
        return Optional.of(f == null ? "captured:empty" : "captured:" + f.sha256());
      }

      @Override
      public String describe() {
        return describe;
      }
    };
  }

  /**
   * A copy of this input in which one good record of {@code windowId} has one value changed: the
   * first non-null decimal, else integer, else text column outside {@code keep} (a decimal is
   * increased by one, an integer by one, a text gets a suffix) of the last record that has one;
   * only when no record has such a column outside {@code keepIfNoOther} too, the same among the
   * columns of {@code keepIfNoOther}. Empty when no good record of the window has a non-null value
   * in any such column (a record whose last values are null does not hide an earlier one).
   */
  public Optional<Changed> withOneValueChanged(
      String windowId, Set<String> keep, Set<String> keepIfNoOther) {
    List<SourceRecord> records = read(windowId);
    Optional<Change> found =
        lastChangeable(records, c -> !keep.contains(c) && !keepIfNoOther.contains(c))
            .or(() -> lastChangeable(records, c -> !keep.contains(c)));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    int changedAt = found.get().record();
    int column = found.get().column();
    SourceRecord changing = records.get(changedAt);
    Object[] values = changing.values().clone();
    Object old = values[column];
    values[column] =
        switch (schema.column(column).type().kind()) {
          case STRING -> old + " (changed by idem verify)";
          case INTEGER -> ((Number) old).longValue() + 1;
          default -> ((BigDecimal) old).add(BigDecimal.ONE);
        };
    records.set(changedAt, new SourceRecord(values, changing.position()));
    Path copyDir = tempDir();
    Map<String, WindowFile> files = new LinkedHashMap<>();
    try {
      for (WindowFile f : windows.values()) {
        Path target = copyDir.resolve(f.file().getFileName());
        if (f.window().id().equals(windowId)) {
          var it = records.iterator();
          files.put(windowId, write(f.window(), target, () -> it.hasNext() ? it.next() : null));
        } else {
          Files.copy(f.file(), target);
          files.put(f.window().id(), new WindowFile(f.window(), target, f.records(), f.sha256()));
        }
      }
    } catch (IOException | RuntimeException e) {
      delete(copyDir);
      throw new TransientException("copying the captured input: " + e.getMessage(), e);
    }
    String what =
        "record "
            + changing.position()
            + " of window "
            + windowId
            + ": column "
            + schema.column(column).name()
            + " "
            + old
            + " -> "
            + values[column];
    return Optional.of(new Changed(new CapturedInput(schema, describe, copyDir, files), what));
  }

  /** Where a value can be changed: the index of a record in its window, and a column. */
  private record Change(int record, int column) {}

  /**
   * The last good record with a non-null value in a changeable, allowed column, and that column.
   */
  private Optional<Change> lastChangeable(List<SourceRecord> records, Predicate<String> allowed) {
    for (int i = records.size() - 1; i >= 0; i--) {
      if (records.get(i).isBad()) {
        continue; // a bad record has no value to change
      }
      int column = changeable(records.get(i).values(), allowed);
      if (column >= 0) {
        return Optional.of(new Change(i, column));
      }
    }
    return Optional.empty();
  }

  private int changeable(Object[] values, Predicate<String> allowed) {
    for (DataType.Kind kind :
        List.of(DataType.Kind.DECIMAL, DataType.Kind.INTEGER, DataType.Kind.STRING)) {
      for (int i = 0; i < schema.size(); i++) {
        if (schema.column(i).type().kind() == kind
            && allowed.test(schema.column(i).name())
            && values[i] != null) {
          return i;
        }
      }
    }
    return -1;
  }

  /** A changed copy of the input and what was changed, for messages. */
  public record Changed(CapturedInput input, String description) {}

  @Override
  public void close() {
    delete(dir);
  }

  private WindowFile file(String windowId) {
    WindowFile f = windows.get(windowId);
    if (f == null) {
      throw new IllegalArgumentException("window " + windowId + " was not captured");
    }
    return f;
  }

  private interface Next {
    SourceRecord next() throws IOException;
  }

  private static WindowFile write(Window window, Path file, Next next) throws IOException {
    MessageDigest sha = sha256();
    long n = 0;
    try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file));
        ObjectOutputStream out = new ObjectOutputStream(new DigestOutputStream(raw, sha))) {
      for (SourceRecord r = next.next(); r != null; r = next.next()) {
        out.writeObject(r.values());
        out.writeObject(r.position());
        out.writeObject(r.raw());
        out.writeObject(r.problem());
        out.writeObject(new ArrayList<>(r.badValues()));
        // values are immutable: no back-references between records, so each is written whole
        out.reset();
        n++;
      }
    }
    return new WindowFile(window, file, n, HexFormat.of().formatHex(sha.digest()));
  }

  private static final RecordReader EMPTY = RecordReader.empty();

  /** Reads a window file back. */
  private static final class Replay implements RecordReader {
    private final ObjectInputStream in;

    Replay(Path file) {
      try {
        this.in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)));
      } catch (IOException e) {
        throw new TransientException("reading captured input " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public SourceRecord next() {
      try {
        Object[] values = (Object[]) in.readObject();
        String position = (String) in.readObject();
        String raw = (String) in.readObject();
        String problem = (String) in.readObject();
        @SuppressWarnings("unchecked") // written above as an ArrayList of BadValue
        List<BadValue> badValues = (List<BadValue>) in.readObject();
        return new SourceRecord(values, position, raw, problem, badValues);
      } catch (EOFException end) {
        return null;
      } catch (IOException | ClassNotFoundException e) {
        throw new TransientException("reading captured input: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // read-only file: nothing is lost
      }
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("idem-verify-input-");
    } catch (IOException e) {
      throw new TransientException(
          "cannot create a folder for the captured input: " + e.getMessage(), e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException ignored) {
      // a temporary folder: the OS cleans up what is left
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
