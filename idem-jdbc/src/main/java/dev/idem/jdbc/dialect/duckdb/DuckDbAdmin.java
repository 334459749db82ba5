package dev.idem.jdbc.dialect.duckdb;

import dev.idem.jdbc.dialect.Admin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * DuckDB's admin side: a scratch file; one process holds the file, so no other session, lock or
 * leftover.
 */
final class DuckDbAdmin implements Admin {
  /**
   * A temporary file, whatever file the pipeline names: verification never opens the user's file.
   */
  @Override
  public Scratch scratch(String jdbcUrl, Properties properties) throws SQLException {
    try {
      Path dir = Files.createTempDirectory("idem-verify-");
      return new Scratch(
          "jdbc:duckdb:" + dir.resolve("scratch.duckdb"),
          () -> {
            try (Stream<Path> files = Files.walk(dir)) {
              for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
              }
            } catch (IOException e) {
              throw new SQLException(
                  "cannot delete the scratch file under " + dir + ": " + e.getMessage(), e);
            }
          });
    } catch (IOException e) {
      throw new SQLException("cannot create a scratch DuckDB file: " + e.getMessage(), e);
    }
  }
}
