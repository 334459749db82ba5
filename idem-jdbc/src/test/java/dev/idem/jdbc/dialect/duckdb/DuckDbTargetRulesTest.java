package dev.idem.jdbc.dialect.duckdb;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TargetRulesSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows a narrower target table refuses, on DuckDB (which does not enforce VARCHAR lengths): a real
 * database file per case.
 */
class DuckDbTargetRulesTest extends TargetRulesSuite {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected JdbcDestination newDestination() {
    return JdbcDestination.open(
        "jdbc:duckdb:" + dir.resolve("rules-" + files.incrementAndGet() + ".duckdb"),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(5));
  }

  @Override
  protected boolean enforcesLengths() {
    return false;
  }

  @Override
  protected String uniqueConstraint() {
    return null;
  }
}
