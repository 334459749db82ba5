package dev.idem.jdbc.dialect.postgres;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcChecksSuite;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.Properties;

/** The reconciliation checks on a real PostgreSQL 17, a fresh database per case. */
class PostgresChecksTest extends JdbcChecksSuite {
  @Override
  protected JdbcDestination newDestination() {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(5));
  }
}
