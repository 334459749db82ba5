package dev.idem.source.file;

import dev.idem.key.KeyEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which day or hour windows a file's bytes hold, remembered across processes, so that a re-run of
 * unchanged input hashes its files (the fingerprint is always of the bytes) but never parses them
 * again.
 *
 * <p>An entry is addressed by the SHA-256 of the file's bytes together with everything that decides
 * what a scan finds (the source's format, the declared columns, the window spec, {@link #FORMAT}):
 * it cannot go stale, so it is never invalidated, only found or not. An entry that cannot be read
 * whole is a miss, and any I/O failure of the cache is ignored (the file is parsed, as without a
 * cache): the cache can be deleted at any time. Entries are written to a temporary file and moved
 * into place, so concurrent runners never read half an entry.
 */
public final class ScanCache {
  /**
   * The scan rules' version: raise it when what a scan finds for the same bytes changes (window
   * assignment, what counts as a record without a window), so that older entries are not found.
   */
  static final int FORMAT = 1;

  private static final String HEADER = "idem-scan " + FORMAT;
  private static final String END = "end";

  /** The environment variable naming the cache directory, or {@code off}. */
  public static final String ENV = "IDEM_SCAN_CACHE";

  private static final ScanCache NONE = new ScanCache(null);

  private final Path dir;

  private ScanCache(Path dir) {
    this.dir = dir;
  }

  /** No cache: every process parses its files once to learn their windows. */
  public static ScanCache none() {
    return NONE;
  }

  /** Entries under {@code dir} (created when first written). */
  public static ScanCache at(Path dir) {
    return new ScanCache(dir.toAbsolutePath());
  }

  /**
   * {@value #ENV} when set ({@code off} for none), else {@code $XDG_CACHE_HOME/idem/scans}, else
   * {@code ~/.cache/idem/scans}; none when no home is known.
   */
  public static ScanCache fromEnvironment(Function<String, String> env) {
    String explicit = env.apply(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return explicit.strip().equalsIgnoreCase("off") ? none() : at(Path.of(explicit.strip()));
    }
    String xdg = env.apply("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return at(Path.of(xdg.strip(), "idem", "scans"));
    }
    String home = env.apply("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return home == null || home.isBlank() ? none() : at(Path.of(home, ".cache", "idem", "scans"));
  }

  /** What one scan of a file found: its window ids, and how many records have no window. */
  record Entry(Set<String> windowIds, long unassigned) {}

  /** The address of a scan of bytes with {@code sha256} under {@code rules}. */
  static String key(String rules, long size, String sha256) {
    MessageDigest md = KeyEncoding.digest();
    KeyEncoding.update(md, HEADER, rules, size, sha256);
    return HexFormat.of().formatHex(md.digest());
  }

  Optional<Entry> get(String key) {
    if (dir == null) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(file(key), StandardCharsets.UTF_8);
      if (lines.size() < 3
          || !lines.get(0).equals(HEADER)
          || !lines.get(lines.size() - 1).equals(END)
          || !lines.get(1).startsWith("unassigned ")) {
        return Optional.empty();
      }
      long unassigned = Long.parseLong(lines.get(1).substring("unassigned ".length()));
      Set<String> ids = new TreeSet<>(lines.subList(2, lines.size() - 1));
      return ids.isEmpty() ? Optional.empty() : Optional.of(new Entry(ids, unassigned));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      Log.LOG.debug("scan cache entry {} unreadable, the file is parsed: {}", key, e.toString());
      return Optional.empty();
    }
  }

  void put(String key, Entry entry) {
    if (dir == null) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add("unassigned " + entry.unassigned());
    lines.addAll(entry.windowIds());
    lines.add(END);
    Path target = file(key);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), key, ".tmp");
      try {
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      Log.LOG.debug("scan cache entry {} not written: {}", key, e.toString());
    }
  }

  /** Created at the first failure only: a cache that works logs nothing. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ScanCache.class);
  }

  private Path file(String key) {
    return dir.resolve(key.substring(0, 2)).resolve(key + ".scan");
  }

  @Override
  public String toString() {
    return dir == null ? "no scan cache" : "scan cache " + dir;
  }
}
