package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.jdbc.TargetRulesSuite;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Rows a narrower target table refuses, on a real PostgreSQL 17, a fresh database per case. */
class PostgresTargetRulesTest extends TargetRulesSuite {
  @Override
  protected JdbcDestination newDestination() {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(),
        new Properties(),
        RunServices.defaults(),
        Duration.ofSeconds(5));
  }

  @Override
  protected boolean enforcesLengths() {
    return true;
  }

  /**
   * A CHECK is SQL from the catalog, run as is: its jsonb '?' operator must not be taken for a
   * parameter.
   */
  @Test
  void aCheckWithAQuestionMarkOperatorIsEvaluatedAsWritten() {
    Schema docs = Schema.of(Column.of("id", DataType.INTEGER), Column.of("doc", DataType.JSON));
    ListSource source =
        new ListSource(docs).add(1L, "{\"name\": \"ada\"}").add(2L, "{\"other\": 1}");
    Pipeline p =
        Pipeline.builder("docs")
            .source(source)
            .windows(WindowSpec.full())
            .table("docs")
            .key(KeySpec.columns("id"))
            .strategy(WriteStrategy.MERGE)
            .badRecords(new BadRecordPolicy(5, null))
            .build();
    try (JdbcDestination d = newDestination()) {
      TableSnapshot.execute(
          d,
          "CREATE TABLE docs (id bigint, doc jsonb CONSTRAINT named CHECK (doc ? 'name'), _idem_window varchar NOT NULL)");
      WindowOutcome o =
          new Runner(d, RunServices.defaults())
              .run(p, List.of(Window.full()), RunOptions.defaults("load"))
              .outcomes()
              .get(0);
      assertThat(o.result()).as(o.message()).isEqualTo(WindowOutcome.Result.LOADED);
      assertThat(d.ledger().deadLetters("docs", Optional.empty(), false))
          .extracting(l -> l.position() + ": " + l.reason())
          .containsExactly(
              "list:2: violates CHECK constraint named of table docs: (doc ? 'name'::text), with doc = '{\"other\": 1}'");
      assertThat(d.tableRows("docs")).singleElement().asString().startsWith("id=1|");
    }
  }

  @Override
  protected String uniqueConstraint() {
    return "unique constraint \"orders_email_key\": Key (email)=";
  }
}
