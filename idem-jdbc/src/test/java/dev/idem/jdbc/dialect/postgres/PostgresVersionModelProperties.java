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

  /**
   * Without deletes, windows whose keys are all new are copied straight into the target, and the
   * others (a key loaded before, by an earlier step or by the racing runner) roll back to the
   * savepoint and merge: the table is still the model's.
   */
  @Property(tries = 30, shrinking = ShrinkingMode.FULL)
  void withoutDeletesTheTableIsTheModel(@ForAll("upsertScenarios") Scenario scenario) {
    check(scenario);
  }
}
