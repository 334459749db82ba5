package dev.idem.source.file;

import dev.idem.ConfigException;
import dev.idem.DataException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The input files of a file source: a {@code pattern} relative to a {@code base} directory. The
 * pattern is a plain path ({@code data/orders.csv}) or a glob in the directories and the file name
 * ({@code data/orders-*.csv}, <code>exports/**&#47;*.json</code>, {@code {a,b}/x?.csv}), with
 * {@code /} as separator.
 *
 * <p>{@link #files()} lists the regular files that match, sorted by their path relative to the base
 * (compared as text with {@code /} separators), so that the order does not depend on the file
 * system. {@code **} matches any number of directories including none, so <code>**&#47;*.csv</code>
 * also matches {@code top.csv}. A glob that matches nothing and a plain path that does not exist
 * are {@link DataException}s naming the pattern.
 */
public record FileSet(Path base, String pattern) {
  private static final String GLOB_CHARS = "*?[{";

  public FileSet {
    Objects.requireNonNull(base, "base");
    if (pattern == null || pattern.isBlank()) {
      throw new ConfigException("a file source needs a path or glob pattern");
    }
    base = base.toAbsolutePath().normalize();
  }

  /** The matching regular files, sorted by relative path. */
  public List<Path> files() throws IOException {
    String[] segments = pattern.split("/", -1);
    int firstGlob = 0;
    while (firstGlob < segments.length && !isGlob(segments[firstGlob])) {
      firstGlob++;
    }
    if (firstGlob == segments.length) {
      Path file = base.resolve(pattern).normalize();
      if (!Files.exists(file)) {
        throw new DataException(
            "input file '" + pattern + "' does not exist (looked in " + base + ")");
      }
      if (!Files.isRegularFile(file)) {
        throw new DataException(
            "input '"
                + pattern
                + "' is not a regular file: expected a file or a glob such as "
                + pattern.replaceAll("/+$", "")
                + "/*.csv");
      }
      return List.of(file);
    }
    Path root = base;
    for (int i = 0; i < firstGlob; i++) {
      root = root.resolve(segments[i]);
    }
    root = root.normalize();
    String rest = String.join("/", List.of(segments).subList(firstGlob, segments.length));
    List<PathMatcher> matchers = new ArrayList<>();
    matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + rest));
    // "**/" also matches no directory at all, as in most glob implementations users know.
    String noDirs = rest;
    while (noDirs.contains("**/")) {
      noDirs = noDirs.replaceFirst("\\*\\*/", "");
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + noDirs));
    }
    int depth = rest.contains("**") ? Integer.MAX_VALUE : segments.length - firstGlob;
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(root)) {
      Path from = root;
      try (Stream<Path> walk = Files.walk(root, depth)) {
        walk.filter(Files::isRegularFile)
            .filter(p -> matchers.stream().anyMatch(m -> m.matches(from.relativize(p))))
            .forEach(found::add);
      } catch (NoSuchFileException e) {
        // the directory vanished while listing: treated as no match below
      }
    }
    if (found.isEmpty()) {
      throw new DataException("no input file matches '" + pattern + "' (looked in " + base + ")");
    }
    found.sort(Comparator.comparing(this::relative));
    return List.copyOf(found);
  }

  /**
   * The file's path relative to the base with {@code /} separators: its window id and position
   * prefix.
   */
  public String relative(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    Path rel = abs.startsWith(base) ? base.relativize(abs) : abs;
    String text = rel.toString();
    String sep = rel.getFileSystem().getSeparator();
    return sep.equals("/") ? text : text.replace(sep, "/");
  }

  private static boolean isGlob(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      if (GLOB_CHARS.indexOf(segment.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
