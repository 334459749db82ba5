package dev.idem.jdbc.dialect.postgres;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.VersionModel.Scenario;
import dev.idem.jdbc.VersionModelSuite;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.Properties;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * The reference model on a real PostgreSQL (a database of this class's own); the two runners have
 * connections of their own, as two processes would.
 */
class PostgresVersionModelProperties extends VersionModelSuite {
  @Override
  protected JdbcDestination open() {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(),
        new Properties(),
        RunServices.defaults().withOwner("r1"),
        Duration.ofSeconds(5));
  }

  @Property(tries = 100, shrinking = ShrinkingMode.FULL)
  void theTableIsTheModel(@ForAll("scenarios") Scenario scenario) {
    check(scenario);
  }
}
