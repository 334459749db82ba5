package dev.idem.jdbc.dialect;

import dev.idem.ConfigException;
import dev.idem.jdbc.dialect.duckdb.DuckDbDialect;
import dev.idem.jdbc.dialect.postgres.PostgresDialect;
import java.util.List;

/** Finds the dialect for a JDBC URL. */
public final class Dialects {
  private static final List<Dialect> KNOWN = List.of(new DuckDbDialect(), new PostgresDialect());

  private Dialects() {}

  public static Dialect forUrl(String jdbcUrl) {
    return KNOWN.stream().filter(d -> d.accepts(jdbcUrl)).findFirst().orElseThrow(() -> new ConfigException(
        "no idem dialect for JDBC URL '" + Dialect.redactUrl(jdbcUrl.replaceAll("[?;].*", "")) + "': expected jdbc:duckdb:<file> or jdbc:postgresql://<host>/<database>"));
  }
}
