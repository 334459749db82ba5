package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunServices;
import dev.idem.destination.Finding;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.JdbcDoctorSuite;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code idem doctor} on a real PostgreSQL 17, a fresh database per case; beyond the suite, what
 * only a server has: another session idle in a transaction holding locks on the target or the
 * ledger, and scratch databases a killed {@code idem verify} left behind.
 */
class PostgresDoctorTest extends JdbcDoctorSuite {
  private static final Schema ROWS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));

  @Override
  protected JdbcDestination newDestination(RunServices services) {
    return JdbcDestination.open(
        EmbeddedPostgresServer.newDatabase(), new Properties(), services, Duration.ofSeconds(5));
  }

  @Override
  protected boolean otherProcessLeasesAreDead() {
    return false;
  }

  private static Pipeline pipeline() {
    return Pipeline.builder("rows")
        .source(new ListSource(ROWS).add(1L, "a").add(2L, "b"))
        .windows(WindowSpec.full())
        .table("rows")
        .key("id")
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  private static List<Finding> of(List<Finding> findings, String kind) {
    return findings.stream().filter(f -> f.kind().equals(kind)).toList();
  }

  /**
   * Waits until the server has seen the session idle in its transaction for longer than {@code d}.
   */
  private static void awaitIdle(Connection admin, int pid, Duration d) throws Exception {
    for (int i = 0; i < 200; i++) {
      try (Statement s = admin.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT clock_timestamp() - state_change > make_interval(secs => "
                      + d.toMillis() / 1000.0
                      + ") FROM pg_stat_activity WHERE pid = "
                      + pid
                      + " AND state = 'idle in transaction'")) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("pid " + pid + " did not become idle in its transaction");
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aSessionIdleInATransactionOnTheTargetLongerThanTheLeaseIsEndedByTheFixNamingItsPid()
      throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    try (JdbcDestination d =
            JdbcDestination.open(
                url,
                new Properties(),
                RunServices.defaults().withLeaseTtl(Duration.ofSeconds(1)),
                Duration.ZERO);
        Connection admin = DriverManager.getConnection(url);
        Connection holder = DriverManager.getConnection(url);
        Connection brief = DriverManager.getConnection(url)) {
      Pipeline p = pipeline();
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, List.of(Window.full()), RunOptions.defaults("load"))
                  .ok())
          .isTrue();
      // a person's transaction left open on the target, and another that read only an unrelated
      // table
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.executeQuery("SELECT count(*) FROM rows").close();
      }
      brief.setAutoCommit(false);
      try (Statement s = brief.createStatement()) {
        s.execute("CREATE TABLE unrelated (x int)");
      }
      int pid = pid(holder);
      awaitIdle(admin, pid, Duration.ofSeconds(1));
      awaitIdle(admin, pid(brief), Duration.ofSeconds(1));

      List<Finding> found = of(d.diagnose(p), "idle_transaction");
      assertThat(found)
          .extracting(f -> f.kind() + " " + f.subject())
          .containsExactly("idle_transaction pid " + pid);
      assertThat(found.get(0).description())
          .startsWith(
              "pid "
                  + pid
                  + " (user postgres, application PostgreSQL JDBC Driver, client 127.0.0.1)"
                  + " has been idle in a transaction for ")
          .contains("longer than the lease time 1s, holding locks on public.rows;")
          .endsWith("--fix ends it: pg_terminate_backend(" + pid + ")");

      assertThat(found.get(0).fix().apply())
          .isEqualTo(
              "pid " + pid + ": terminated (pg_terminate_backend), its transaction rolled back");
      assertThatThrownBy(() -> holder.createStatement().executeQuery("SELECT 1"))
          .isInstanceOf(SQLException.class);
      assertThat(of(d.diagnose(p), "idle_transaction")).isEmpty();
      try (Statement s = brief.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        assertThat(rs.next()).as("the unrelated session is alive").isTrue();
      }
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, List.of(Window.full()), RunOptions.defaults("again"))
                  .ok())
          .isTrue();
    }
  }

  @Test
  void aSessionThatWorkedSinceTheDiagnosisIsNotTerminated() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    try (JdbcDestination d =
            JdbcDestination.open(
                url,
                new Properties(),
                RunServices.defaults().withLeaseTtl(Duration.ofSeconds(1)),
                Duration.ZERO);
        Connection admin = DriverManager.getConnection(url);
        Connection holder = DriverManager.getConnection(url)) {
      Pipeline p = pipeline();
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, List.of(Window.full()), RunOptions.defaults("load"))
                  .ok())
          .isTrue();
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.executeQuery("SELECT * FROM _idem.windows FOR UPDATE").close();
      }
      awaitIdle(admin, pid(holder), Duration.ofSeconds(1));
      Finding found = of(d.diagnose(p), "idle_transaction").get(0);
      assertThat(found.description()).contains("holding locks on _idem.windows;");
      try (Statement s = holder.createStatement()) {
        s.executeQuery("SELECT 1")
            .close(); // the session works again: it is no longer the one found
      }
      assertThat(found.fix().apply())
          .isEqualTo(
              "pid "
                  + pid(holder)
                  + ": left alone: it is no longer idle in the transaction that was found");
      holder.commit();
    }
  }

  @Test
  void scratchDatabasesOfAKilledVerifyAreDroppedOnlyWhenOldAndUnused() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    String server = url.substring(0, url.lastIndexOf('/') + 1);
    try (JdbcDestination d =
            JdbcDestination.open(url, new Properties(), RunServices.defaults(), Duration.ZERO);
        Connection admin = DriverManager.getConnection(url)) {
      Instant now;
      try (Statement s = admin.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT CAST(floor(extract(epoch FROM clock_timestamp())) AS bigint)")) {
        rs.next();
        now = Instant.ofEpochSecond(rs.getLong(1));
      }
      // what verify runs leave: one killed 20 minutes ago, one killed 20 minutes ago whose name is
      // taken by a session,
      // one just created (a verify that may be about to use it), one named by an older idem
      String killed = PostgresDialect.scratchName(now.minus(Duration.ofMinutes(20)), 0xabcL);
      String used = PostgresDialect.scratchName(now.minus(Duration.ofMinutes(20)), 0xdefL);
      String young = PostgresDialect.scratchName(now, 0x123L);
      String older = "idem_verify_5f3a9c";
      // the real scratch of a running verify is neither reported nor dropped
      try (JdbcDestination running =
          JdbcDestination.scratch(url, new Properties(), RunServices.defaults())) {
        try (Statement s = admin.createStatement()) {
          for (String db : List.of(killed, used, young, older)) {
            s.execute("CREATE DATABASE " + db);
          }
        }
        try (Connection session = DriverManager.getConnection(server + used + "?user=postgres")) {
          List<Finding> found = of(d.diagnose(pipeline()), "orphan_verify_database");
          assertThat(found).extracting(Finding::subject).containsExactly(killed, older);
          assertThat(found.get(1).fixable()).isFalse();
          assertThat(found.get(1).description())
              .contains("its age is unknown")
              .endsWith("DROP DATABASE \"" + older + "\"");
          assertThat(found.get(0).description())
              .matches(
                  "scratch database "
                      + killed
                      + " of idem verify, created 20m\\d+s ago, has no session:"
                      + " a killed verify left it; --fix drops it");

          // a session connects to it after the diagnosis: the server refuses the drop
          try (Connection late = DriverManager.getConnection(server + killed + "?user=postgres")) {
            assertThat(found.get(0).fix().apply())
                .isEqualTo(
                    "database "
                        + killed
                        + ": left alone: a session connected to it since it was found");
          }
          assertThat(found.get(0).fix().apply()).isEqualTo("database " + killed + ": dropped");
          assertThat(of(d.diagnose(pipeline()), "orphan_verify_database"))
              .extracting(Finding::subject)
              .containsExactly(older);
        }
        assertThat(databases(admin))
            .contains(used, young, older)
            .doesNotContain(killed)
            .anyMatch(
                n ->
                    running.describe().contains("/" + n + "?")
                        && n.matches("idem_verify_\\d+_[0-9a-f]+"));
      } finally {
        // the server is shared by the other cases, whose diagnoses would see these
        try (Statement s = admin.createStatement()) {
          for (String db : List.of(killed, used, young, older)) {
            s.execute("DROP DATABASE IF EXISTS " + db);
          }
        }
      }
    }
  }

  private static List<String> databases(Connection admin) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = admin.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'idem_verify_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
