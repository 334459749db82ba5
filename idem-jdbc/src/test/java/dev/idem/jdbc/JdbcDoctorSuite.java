package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.context.RunServices;
import dev.idem.destination.Finding;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.retry.RetryPolicy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code idem doctor} on a real database: each condition is made for real (a runner crashed at a
 * fault point with a short lease, a window failed by its data, an old ledger), diagnosed, fixed,
 * and then a run must leave the table a clean run leaves. Fixes must never disturb a runner that is
 * alive. Subclasses say how to get a fresh database.
 */
public abstract class JdbcDoctorSuite {
  private static final Schema ORDERS =
      Schema.of(
          Column.of("order_id", DataType.INTEGER),
          Column.of("customer", DataType.STRING),
          Column.of("ingested_at", DataType.TIMESTAMP));
  private static final Duration SHORT_LEASE = Duration.ofSeconds(1);

  /** A new, empty database, opened with these services. */
  protected abstract JdbcDestination newDestination(RunServices services);

  /**
   * True when a lease held by another process is dead whatever its expiry (a database file one
   * process holds).
   */
  protected abstract boolean otherProcessLeasesAreDead();

  private static RunServices services(String owner) {
    return RunServices.defaults()
        .withOwner(owner)
        .withRetry(new RetryPolicy(3, Duration.ZERO, Duration.ZERO));
  }

  /** Three days of orders; days 2 and 3 correct orders of the day before (merge moves them). */
  private static ListSource threeDays() {
    ListSource s = new ListSource(ORDERS);
    for (int day = 1; day <= 3; day++) {
      for (int i = 0; i < 10; i++) {
        s.add((long) (day * 7 + i), "c" + day + "-" + i, LocalDateTime.of(2024, 3, day, 8, i));
      }
    }
    return s;
  }

  private static Pipeline merge(ListSource source) {
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("ingested_at", ZoneOffset.UTC))
        .table("orders")
        .key("order_id")
        .orderBy("ingested_at")
        .strategy(WriteStrategy.MERGE)
        .build();
  }

  private static RunReport run(JdbcDestination d, Pipeline p, RunServices services) {
    try {
      return new Runner(d, services)
          .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The database as a process other than the crashed runner's sees it. */
  private static JdbcDestination doctor(JdbcDestination d) {
    return d.reopen(services("doctor"));
  }

  /** Waits, by the clock leases are judged by, until every running window's lease has expired. */
  private static void awaitExpiredLeases(JdbcDestination d, String pipeline)
      throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      Instant now = d.transaction("read the clock", d::now);
      boolean expired =
          d.ledger().states(pipeline).stream()
              .filter(s -> s.status() == WindowStatus.RUNNING)
              .allMatch(s -> !s.leaseExpires().isAfter(now));
      if (expired) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("leases of " + pipeline + " did not expire");
  }

  private static List<String> kindsAndSubjects(List<Finding> findings) {
    return findings.stream().map(f -> f.kind() + " " + f.subject()).toList();
  }

  private static List<String> stagingRelations(JdbcDestination d) {
    return d.tableRows(
        "(SELECT table_schema, table_name FROM information_schema.tables"
            + " WHERE table_name IN ('staged', 'idem_transformed', 'idem_rows'))");
  }

  @Test
  void aDatabaseWhereIdemNeverRanHasNoFindingsAndIsLeftUntouched() {
    try (JdbcDestination d = newDestination(services("doctor"))) {
      assertThat(d.diagnose(merge(threeDays()))).isEmpty();
      assertThat(
              d.tableRows(
                  "(SELECT schema_name FROM information_schema.schemata WHERE schema_name = '_idem')"))
          .isEmpty();
      assertThat(run(d, merge(threeDays()), services("runner")).ok()).isTrue();
      assertThat(d.diagnose(merge(threeDays()))).isEmpty();
    }
  }

  @Test
  void aRunnerThatDiedMidLoadLeavesAStaleLeaseThatFixReleasesAndTheNextRunLoadsAsACleanRun()
      throws Exception {
    List<String> clean;
    try (JdbcDestination d = newDestination(services("clean"))) {
      assertThat(run(d, merge(threeDays()), services("clean")).ok()).isTrue();
      clean = d.tableRows("orders");
    }
    try (JdbcDestination d = newDestination(services("runner"))) {
      Pipeline p = merge(threeDays());
      RunServices dying =
          services("runner")
              .withLeaseTtl(SHORT_LEASE)
              .withFaults(new CrashAt(FaultPoint.AFTER_STAGING, "2024-03-02"));
      assertThatThrownBy(() -> run(d, p, dying)).isInstanceOf(SimulatedCrash.class);
      awaitExpiredLeases(d, "orders");
      try (JdbcDestination doctor = doctor(d)) {
        List<Finding> found = doctor.diagnose(p);
        assertThat(kindsAndSubjects(found)).containsExactly("stale_lease 2024-03-02");
        Finding stale = found.get(0);
        assertThat(stale.fixable()).isTrue();
        assertThat(stale.description())
            .startsWith("window 2024-03-02 is held by runner runner/")
            .contains("its lease expired")
            .contains("the next run takes it over");
        assertThat(stale.fix().apply())
            .startsWith("window 2024-03-02: marked failed, lease token ");

        List<Finding> after = doctor.diagnose(p);
        assertThat(kindsAndSubjects(after)).containsExactly("failed_window 2024-03-02");
        assertThat(after.get(0).fixable()).isFalse();
        assertThat(after.get(0).description())
            .contains("its runner runner/")
            .contains("stopped without finishing")
            .contains("released by idem doctor")
            .endsWith("; the next run loads it again");
        assertThat(doctor.ledger().state("orders", "2024-03-02"))
            .get()
            .satisfies(s -> assertThat(s.status()).isEqualTo(WindowStatus.FAILED));

        assertThat(run(doctor, p, services("doctor")).ok()).isTrue();
        assertThat(doctor.diagnose(p)).isEmpty();
        assertThat(doctor.tableRows("orders")).isEqualTo(clean);
      }
    }
  }

  @Test
  void aFixLeavesAloneARunnerThatRenewedItsLeaseOrTookTheWindowOverSinceTheDiagnosis()
      throws Exception {
    try (JdbcDestination d = newDestination(services("runner"))) {
      Pipeline p = merge(threeDays());
      RunServices dying =
          services("runner")
              .withLeaseTtl(SHORT_LEASE)
              .withFaults(new CrashAt(FaultPoint.MID_STAGING, "2024-03-01"));
      assertThatThrownBy(() -> run(d, p, dying)).isInstanceOf(SimulatedCrash.class);
      awaitExpiredLeases(d, "orders");
      try (JdbcDestination doctor = doctor(d)) {
        // the stalled runner comes back and renews its lease between the diagnosis and the fix
        Finding found = doctor.diagnose(p).get(0);
        WindowState held = d.ledger().state("orders", "2024-03-01").orElseThrow();
        Lease lease =
            new Lease(
                "orders", "2024-03-01", held.owner(), held.token(), held.leaseExpires(), null);
        assertThat(d.ledger().renew(lease, Duration.ofMinutes(10))).isTrue();
        assertThat(found.fix().apply())
            .isEqualTo(
                "window 2024-03-01: left alone: its lease was renewed or taken over since it was found");
        assertThat(d.ledger().state("orders", "2024-03-01"))
            .get()
            .satisfies(
                s -> {
                  assertThat(s.status()).isEqualTo(WindowStatus.RUNNING);
                  assertThat(s.token()).isEqualTo(held.token());
                });

        // another runner takes the window over between the diagnosis and the fix
        TableSnapshot.execute(
            d,
            "UPDATE _idem.windows SET lease_expires = lease_expires - INTERVAL '1 day' WHERE status = 'RUNNING'");
        Finding again = doctor.diagnose(p).get(0);
        assertThat(again.kind()).isEqualTo("stale_lease");
        Lease taken =
            d.ledger()
                .claim("orders", "2024-03-01", "taker/1", Duration.ofMinutes(10))
                .orElseThrow();
        assertThat(again.fix().apply()).contains("left alone");
        assertThat(d.ledger().state("orders", "2024-03-01"))
            .get()
            .satisfies(
                s -> {
                  assertThat(s.status()).isEqualTo(WindowStatus.RUNNING);
                  assertThat(s.owner()).isEqualTo("taker/1");
                  assertThat(s.token()).isEqualTo(taken.token());
                });
      }
    }
  }

  @Test
  void aLiveLeaseIsNotAFinding() {
    try (JdbcDestination d = newDestination(services("doctor"));
        JdbcDestination other = d.reopen(services("other:host:1"))) {
      Pipeline p = merge(threeDays());
      d.prepare(p);
      try (Presence mine = d.ledger().enter("doctor/7.1");
          Presence theirs = other.ledger().enter("other:host:1/1.1")) {
        // a runner of this very process is alive while it is present
        assertThat(d.ledger().claim("orders", "2024-03-01", "doctor/7.1", Duration.ofMinutes(10)))
            .isPresent();
        // a runner of another process: alive on a server database while it holds its presence lock,
        // necessarily dead on a
        // database file this process holds (there, reopen is this process again: the test can only
        // name another owner)
        assertThat(
                d.ledger()
                    .claim(
                        "orders",
                        "2024-03-02",
                        otherProcessLeasesAreDead() ? "other:host:2/1.1" : "other:host:1/1.1",
                        Duration.ofMinutes(10)))
            .isPresent();
        List<Finding> found = d.diagnose(p);
        assertThat(kindsAndSubjects(found))
            .isEqualTo(otherProcessLeasesAreDead() ? List.of("stale_lease 2024-03-02") : List.of());
        if (otherProcessLeasesAreDead()) {
          assertThat(found.get(0).description())
              .isEqualTo(
                  "window 2024-03-02 is held by runner other:host:2/1.1, which is gone:"
                      + " it is not running, and only this process can hold the database file now; the next run takes it over"
                      + " (--fix marks it failed now, under lease token "
                      + d.ledger().state("orders", "2024-03-02").orElseThrow().token()
                      + ")");
        }
      }
    }
  }

  @Test
  void aLeaseWhoseRunnerIsNoLongerPresentIsAFindingBeforeItExpires() {
    try (JdbcDestination d = newDestination(services("doctor"))) {
      Pipeline p = merge(threeDays());
      d.prepare(p);
      try (Presence finished = d.ledger().enter("doctor/8.1")) {
        assertThat(d.ledger().claim("orders", "2024-03-01", "doctor/8.1", Duration.ofMinutes(10)))
            .isPresent();
        assertThat(d.diagnose(p)).isEmpty();
      }
      // the runner ended without finishing the window (its failure could not be recorded): its
      // lease still runs 10 minutes
      List<Finding> found = d.diagnose(p);
      assertThat(kindsAndSubjects(found)).isEqualTo(List.of("stale_lease 2024-03-01"));
      assertThat(found.get(0).description())
          .startsWith(
              "window 2024-03-01 is held by runner doctor/8.1, which is gone: "
                  + (otherProcessLeasesAreDead()
                      ? "it is not running"
                      : "it holds no presence lock (its process ended or lost its connection)"));
      // and the next claim takes it over at once
      WindowState before = d.ledger().state("orders", "2024-03-01").orElseThrow();
      assertThat(d.ledger().claim("orders", "2024-03-01", "doctor/9.1", Duration.ofMinutes(10)))
          .get()
          .extracting(Lease::token)
          .isEqualTo(before.token() + 1);
    }
  }

  @Test
  void aWindowFailedByItsDataIsReportedWithItsErrorAndOnlyALoadResolvesIt() {
    ListSource source = threeDays();
    source.add(null, "no key", LocalDateTime.of(2024, 3, 2, 9, 0));
    try (JdbcDestination d = newDestination(services("runner"))) {
      RunReport report = run(d, merge(source), services("runner"));
      assertThat(report.ok()).isFalse();
      List<Finding> found = d.diagnose(merge(source));
      assertThat(kindsAndSubjects(found)).containsExactly("failed_window 2024-03-02");
      assertThat(found.get(0).fixable()).isFalse();
      assertThat(found.get(0).description())
          .startsWith("window 2024-03-02 failed at ")
          .contains("1 rows have a NULL in key [order_id]");
      assertThat(run(d, merge(threeDays()), services("runner")).ok()).isTrue();
      assertThat(d.diagnose(merge(threeDays()))).isEmpty();
    }
  }

  @Test
  void aLedgerOfAnOlderIdemIsReportedAndNotMigratedByTheDiagnosis() {
    try (JdbcDestination d = newDestination(services("doctor"))) {
      TableSnapshot.execute(d, "CREATE SCHEMA _idem");
      TableSnapshot.execute(
          d, "CREATE TABLE _idem.meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
      TableSnapshot.execute(d, "INSERT INTO _idem.meta VALUES ('schema_version', '1')");
      TableSnapshot.execute(d, LedgerSchemaTestAccess.firstMigration());
      TableSnapshot.execute(
          d,
          "INSERT INTO _idem.windows (pipeline, window_id, status, error, finished_at)"
              + " VALUES ('orders', '2024-03-01', 'FAILED', 'disk full', TIMESTAMP '2024-03-02 00:00:00')");
      List<Finding> found = d.diagnose(merge(threeDays()));
      assertThat(kindsAndSubjects(found))
          .containsExactly("ledger_outdated _idem", "failed_window 2024-03-01");
      assertThat(found.get(0).description())
          .isEqualTo(
              "the _idem ledger has schema version 1, older than this idem's ("
                  + LedgerSchema.VERSION
                  + "): the next run migrates it");
      assertThat(found.get(1).description())
          .isEqualTo(
              "window 2024-03-01 failed at 2024-03-02T00:00:00Z: disk full; the next run loads it again");
      assertThat(TableSnapshot.rows(d, "_idem.meta"))
          .containsExactly("name=schema_version|value=1");

      TableSnapshot.execute(d, "UPDATE _idem.meta SET value = '99'");
      assertThat(kindsAndSubjects(d.diagnose(merge(threeDays()))))
          .containsExactly("ledger_newer _idem");
    }
  }

  @Test
  void aReplaceTableLoadCrashedAtEveryPointLeavesNoStagingRelationOnlyItsLease() throws Exception {
    Schema schema =
        Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));
    ListSource source = new ListSource(schema).add(1L, "a").add(2L, "b").add(2L, "b");
    Pipeline p =
        Pipeline.builder("snapshot")
            .source(source)
            .windows(WindowSpec.full())
            .table("snapshot")
            .key("id")
            .targetColumns(schema)
            .transform("SELECT id, upper(name) AS name FROM staged")
            .strategy(WriteStrategy.REPLACE_TABLE)
            .build();
    List<String> clean;
    try (JdbcDestination d = newDestination(services("clean"))) {
      assertThat(run(d, p, services("clean")).ok()).isTrue();
      clean = d.tableRows("snapshot");
    }
    for (FaultPoint point :
        List.of(FaultPoint.MID_STAGING, FaultPoint.AFTER_STAGING, FaultPoint.BEFORE_COMMIT)) {
      try (JdbcDestination d = newDestination(services("runner"))) {
        RunServices dying =
            services("runner").withLeaseTtl(SHORT_LEASE).withFaults(new CrashAt(point, "full"));
        assertThatThrownBy(() -> run(d, p, dying))
            .as("%s", point)
            .isInstanceOf(SimulatedCrash.class);
        awaitExpiredLeases(d, "snapshot");
        try (JdbcDestination doctor = doctor(d)) {
          assertThat(stagingRelations(doctor)).as("%s", point).isEmpty();
          assertThat(kindsAndSubjects(doctor.diagnose(p)))
              .as("%s", point)
              .containsExactly("stale_lease full");
          doctor.diagnose(p).get(0).fix().apply();
          assertThat(run(doctor, p, services("doctor")).ok()).isTrue();
          assertThat(doctor.diagnose(p)).as("%s", point).isEmpty();
          assertThat(doctor.tableRows("snapshot")).as("%s", point).isEqualTo(clean);
        }
      }
    }
  }
}
