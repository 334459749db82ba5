package dev.idem.connector;

/**
 * Where a value of a pipeline file was written: the file, its line and column (1-based), or only a
 * name when there is no line ({@code --set target.table} for a command-line override). Printed as
 * {@code file:line}, the prefix of every configuration error.
 */
public record Location(String file, int line, int column) {
  public Location {
    if (file == null) {
      throw new IllegalArgumentException("a location needs a file name");
    }
  }

  /** A place without a line: an override ({@code --set path}) or a whole file. */
  public static Location of(String name) {
    return new Location(name, 0, 0);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
