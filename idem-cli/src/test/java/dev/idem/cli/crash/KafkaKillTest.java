package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.fault.FaultPoint;
import dev.idem.fault.HaltAt;
import dev.idem.testkit.kafka.KafkaBroker;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code idem run} of a Kafka topic into PostgreSQL many times (seeded): halts at the
 * fault points of random windows (mid-staging, after the commit, ...) and SIGKILLs at random
 * moments; then runs it again until it succeeds. The table must equal a clean run's, every offset
 * of every partition loaded by exactly one done window, and no record loaded twice or lost. Also:
 * {@code idem run --follow} stops on SIGTERM after the window in progress, leaving no window open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaKillTest {
  private static final int ORDERS = 6_000;
  private static final int PARTITIONS = 3;
  private static final int TRIALS = Integer.getInteger("idem.kafkakill.trials", 4);
  private static final long SEED = Long.getLong("idem.kafkakill.seed", 20261123L);
  private static final FaultPoint[] POINTS = {
    FaultPoint.AFTER_CLAIM,
    FaultPoint.MID_STAGING,
    FaultPoint.AFTER_STAGING,
    FaultPoint.BEFORE_COMMIT,
    FaultPoint.AFTER_COMMIT,
    FaultPoint.BETWEEN_WINDOWS
  };

  private final KafkaBroker broker = KafkaBroker.shared();
  @TempDir static Path dir;
  private String topic;
  private List<String> clean;

  @BeforeAll
  void produceAndLoadOnce() throws Exception {
    topic = KafkaBroker.uniqueName("kill-orders");
    broker.createTopic(topic, PARTITIONS);
    produce(1, ORDERS / 2);
    broker.produceAborted(topic, List.of(order(999_999), order(999_998)));
    produce(ORDERS / 2 + 1, ORDERS);
    String url = EmbeddedPostgresServer.newDatabase();
    ChildIdem.Result r = ChildIdem.run(work("clean", url), List.of(), "run", "pipeline.yaml");
    assertThat(r.exit()).as(r.stderr()).isZero();
    clean = rows(url);
    assertThat(clean).hasSize(ORDERS);
  }

  private void produce(int from, int to) {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int id = from; id <= to; id++) {
      records.add(new ProducerRecord<>(topic, Integer.toString(id), order(id)));
    }
    broker.produceCommittedRecords(records);
  }

  private static String order(long id) {
    return "{\"order_id\": "
        + id
        + ", \"customer\": \"c"
        + (id % 11)
        + "\", \"amount\": \""
        + (id % 1000)
        + ".25\"}";
  }

  private Path work(String name, String url) throws Exception {
    Path w = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        w.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: kafka-orders",
            "source:",
            "  type: kafka",
            "  bootstrap_servers: " + broker.bootstrapServers(),
            "  topic: " + topic,
            "  max_records: 500",
            "columns:",
            "  order_id: integer",
            "  customer: string",
            "  amount: decimal(12,2)",
            "target:",
            "  table: orders",
            "  key: [order_id]",
            "  strategy: append",
            "destination:",
            "  url: \"" + url + "\"",
            ""),
        StandardCharsets.UTF_8);
    return w;
  }

  @Test
  void killedAnywhereAndRunAgainEqualsACleanRun() throws Exception {
    Random random = new Random(SEED);
    List<String> log = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      String url = EmbeddedPostgresServer.newDatabase();
      Path w = work("trial-" + trial, url);
      String how;
      if (trial % 4 == 3) {
        long afterMs = 1_500L + random.nextInt(3_000);
        how = "SIGKILL after " + afterMs + " ms";
        Process p = ChildIdem.start(w, List.of(), "run", "pipeline.yaml", "--lease-ttl", "2s");
        if (!p.waitFor(afterMs, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } else {
        FaultPoint point = POINTS[random.nextInt(POINTS.length)];
        int nth = 1 + random.nextInt(8);
        how = "halt at " + point + " #" + nth;
        ChildIdem.Result r =
            ChildIdem.run(
                w,
                List.of(
                    "-D"
                        + HaltAt.PROPERTY
                        + "="
                        + point.name().toLowerCase(Locale.ROOT)
                        + "@"
                        + nth),
                "run",
                "pipeline.yaml",
                "--lease-ttl",
                "2s");
        assertThat(r.exit()).as(how + ": " + r.stderr()).isEqualTo(HaltAt.STATUS);
      }
      int runs = 0;
      ChildIdem.Result again;
      do {
        Thread.sleep(2_100); // the killed runner's leases expire
        again = ChildIdem.run(w, List.of(), "run", "pipeline.yaml", "--lease-ttl", "2s");
        runs++;
      } while (again.exit() != 0 && runs < 5);
      assertThat(again.exit()).as(how + ": " + again.stderr()).isZero();
      assertThat(rows(url)).as(how).isEqualTo(clean);
      assertChainsCover(url);
      log.add("trial " + trial + ": " + how + ", " + runs + " run(s) after");
    }
    System.out.println("KafkaKillTest (seed " + SEED + "):\n  " + String.join("\n  ", log));
  }

  @Test
  void followStopsOnSigtermAfterTheWindowInProgress() throws Exception {
    String url = EmbeddedPostgresServer.newDatabase();
    Path w = work("follow", url);
    Process p =
        ChildIdem.start(
            w, List.of(), "run", "pipeline.yaml", "--follow", "--commit-interval", "200ms");
    try {
      awaitRows(url, ORDERS);
      List<ProducerRecord<String, String>> records = new ArrayList<>();
      for (int id = ORDERS + 1; id <= ORDERS + 700; id++) {
        records.add(new ProducerRecord<>(topic, Integer.toString(id), order(id)));
      }
      broker.produceCommittedRecords(records);
      awaitRows(url, ORDERS + 700);
    } finally {
      p.destroy(); // SIGTERM
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS))
        .as("idem run --follow stopped after SIGTERM")
        .isTrue();
    assertThat(query(url, "SELECT count(*) FROM _idem.windows WHERE status <> 'DONE'"))
        .containsExactly("0");
    assertThat(query(url, "SELECT count(*) - count(DISTINCT order_id) FROM orders"))
        .containsExactly("0");
    assertChainsCover(url);
  }

  private void awaitRows(String url, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      try {
        if (Integer.parseInt(query(url, "SELECT count(*) FROM orders").get(0)) >= n) {
          return;
        }
      } catch (SQLException e) {
        // no table before the first commit
      }
      Thread.sleep(100);
    }
    throw new AssertionError("orders did not reach " + n + " rows in 90 s");
  }

  /** Every partition's done windows chain from offset 0 to its end, without gap or overlap. */
  private void assertChainsCover(String url) throws Exception {
    Map<String, TreeMap<Long, Long>> chains = new TreeMap<>();
    for (String row :
        query(
            url,
            "SELECT window_id || ' ' || source_position || ' ' || status FROM _idem.windows")) {
      String[] f = row.split(" ", -1);
      assertThat(f[2]).as(row).isEqualTo("DONE");
      int at = f[0].lastIndexOf('@');
      chains
          .computeIfAbsent(f[0].substring(0, at), k -> new TreeMap<>())
          .put(Long.parseLong(f[0].substring(at + 1)), Long.parseLong(f[1]));
    }
    assertThat(chains).hasSize(PARTITIONS);
    long total = 0;
    for (var chain : chains.entrySet()) {
      long pos = 0;
      for (var window : chain.getValue().entrySet()) {
        assertThat(window.getKey())
            .as("%s: gap or overlap at %s", chain.getKey(), pos)
            .isEqualTo(pos);
        pos = window.getValue();
      }
      total += pos;
    }
    assertThat(total)
        .as("offsets covered: the records, the aborted ones and the transaction markers")
        .isGreaterThanOrEqualTo(ORDERS);
  }

  private static List<String> rows(String url) throws Exception {
    return query(
        url, "SELECT order_id || '|' || customer || '|' || amount FROM orders ORDER BY order_id");
  }

  private static List<String> query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }
}
