package dev.idem.jdbc.dialect;

import dev.idem.ConfigException;
import dev.idem.jdbc.dialect.duckdb.DuckDbDialect;
import dev.idem.jdbc.dialect.postgres.PostgresDialect;
import java.util.List;
import java.util.Optional;

/** Finds the dialect for a JDBC URL. */
public final class Dialects {
  private static final List<Dialect> KNOWN = List.of(new DuckDbDialect(), new PostgresDialect());

  private Dialects() {}

  public static Dialect forUrl(String jdbcUrl) {
    return find(jdbcUrl)
        .orElseThrow(
            () ->
                new ConfigException(
                    "no idem dialect for JDBC URL '"
                        + Dialect.redactUrl(jdbcUrl.replaceAll("[?;].*", ""))
                        + "': expected jdbc:duckdb:<file> or jdbc:postgresql://<host>/<database>"));
  }

  /**
   * How to read a query from the database at {@code jdbcUrl}: its dialect, or plain JDBC for a
   * database idem has none for.
   */
  public static SourceDialect forSource(String jdbcUrl) {
    return find(jdbcUrl).<SourceDialect>map(d -> d).orElse(SourceDialect.ANY);
  }

  private static Optional<Dialect> find(String jdbcUrl) {
    return KNOWN.stream().filter(d -> d.accepts(jdbcUrl)).findFirst();
  }
}
