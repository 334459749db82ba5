package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TargetRulesSuite;
import dev.idem.run.RunServices;
import java.time.Duration;
import java.util.Properties;

/** Rows a narrower target table refuses, on a real PostgreSQL 17, a fresh database per case. */
class PostgresTargetRulesTest extends TargetRulesSuite {
  @Override
  protected JdbcDestination newDestination() {
    return JdbcDestination.open(EmbeddedPostgresServer.newDatabase(), new Properties(), RunServices.defaults(), Duration.ofSeconds(5));
  }

  @Override
  protected boolean enforcesLengths() {
    return true;
  }

  @Override
  protected String uniqueConstraint() {
    return "unique constraint \"orders_email_key\": Key (email)=";
  }
}
