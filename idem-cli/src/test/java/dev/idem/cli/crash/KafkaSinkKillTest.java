package dev.idem.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.fault.FaultPoint;
import dev.idem.fault.HaltAt;
import dev.idem.testkit.kafka.KafkaBroker;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code idem run} producing CSV day windows into a Kafka topic, many times (seeded):
 * halts mid-transaction (mid-staging, after staging, before the commit), right after a commit,
 * between windows, and SIGKILLs at random moments; then runs it again until it succeeds. What a
 * {@code read_committed} consumer reads must be the input, every record exactly once: a transaction
 * the killed producer left open is aborted by the next run's {@code initTransactions()}, and a
 * window whose marker committed is never produced again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSinkKillTest {
  private static final int DAYS = 6;
  private static final int PER_DAY = 1_000;
  private static final int TRIALS = Integer.getInteger("idem.kafkasinkkill.trials", 4);
  private static final long SEED = Long.getLong("idem.kafkasinkkill.seed", 4242L);
  private static final FaultPoint[] POINTS = {
    FaultPoint.AFTER_CLAIM,
    FaultPoint.MID_STAGING,
    FaultPoint.AFTER_STAGING,
    FaultPoint.BEFORE_COMMIT,
    FaultPoint.AFTER_COMMIT,
    FaultPoint.BETWEEN_WINDOWS
  };
  private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");

  private final KafkaBroker broker = KafkaBroker.shared();
  @TempDir static Path dir;
  private Path input;

  @BeforeAll
  void writeInput() throws Exception {
    input = Files.createDirectories(dir.resolve("input"));
    for (int day = 0; day < DAYS; day++) {
      LocalDate d = LocalDate.parse("2024-05-01").plusDays(day);
      try (BufferedWriter w =
          Files.newBufferedWriter(input.resolve("orders-" + d + ".csv"), StandardCharsets.UTF_8)) {
        w.write("order_id,customer,amount,ingested_at\n");
        for (int i = 0; i < PER_DAY; i++) {
          long id = (long) day * PER_DAY + i + 1;
          w.write(
              id
                  + ",c"
                  + (id % 13)
                  + ","
                  + (id % 500)
                  + ".75,"
                  + d
                  + "T"
                  + String.format("%02d", i % 24)
                  + ":00:00\n");
        }
      }
    }
  }

  private Path work(String name, String topic) throws Exception {
    Path w = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        w.resolve("pipeline.yaml"),
        String.join(
            "\n",
            "pipeline: " + topic,
            "source:",
            "  type: csv",
            "  path: " + input.toAbsolutePath() + "/*.csv",
            "columns:",
            "  order_id: integer",
            "  customer: string",
            "  amount: decimal(12,2)",
            "  ingested_at: timestamp",
            "windows:",
            "  kind: day",
            "  column: ingested_at",
            "target:",
            "  table: " + topic,
            "  key: [order_id]",
            "  strategy: append",
            "destination:",
            "  type: kafka",
            "  bootstrap_servers: " + broker.bootstrapServers(),
            "  ledger_topic: " + topic + "-ledger",
            "  partitions: 3",
            "  transaction_timeout: 10s",
            ""),
        StandardCharsets.UTF_8);
    return w;
  }

  @Test
  void killedAnywhereAndRunAgainProducesEveryRecordExactlyOnce() throws Exception {
    Random random = new Random(SEED);
    List<String> log = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      String topic = KafkaBroker.uniqueName("sink-kill");
      Path w = work("trial-" + trial, topic);
      String how;
      if (trial % 4 == 3) {
        long afterMs = 2_000L + random.nextInt(3_000);
        how = "SIGKILL after " + afterMs + " ms";
        Process p = ChildIdem.start(w, List.of(), "run", "pipeline.yaml");
        if (!p.waitFor(afterMs, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } else {
        FaultPoint point = POINTS[random.nextInt(POINTS.length)];
        int nth = 1 + random.nextInt(DAYS - 1);
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
                "pipeline.yaml");
        assertThat(r.exit()).as(how + ": " + r.stderr()).isEqualTo(HaltAt.STATUS);
      }
      ChildIdem.Result again = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
      assertThat(again.exit()).as(how + ": " + again.stderr()).isZero();
      assertExactlyTheInput(topic, how);
      ChildIdem.Result third = ChildIdem.run(w, List.of(), "run", "pipeline.yaml");
      assertThat(third.exit()).as(third.stderr()).isZero();
      assertThat(third.stdout()).as(how).doesNotContain("LOADED");
      assertExactlyTheInput(topic, how);
      log.add("trial " + trial + ": " + how);
    }
    System.out.println("KafkaSinkKillTest (seed " + SEED + "):\n  " + String.join("\n  ", log));
  }

  /** Every input order once, as a read_committed consumer sees the topic. */
  private void assertExactlyTheInput(String topic, String how) {
    List<Long> ids = new ArrayList<>();
    for (String value : broker.readCommitted(topic)) {
      Matcher m = ORDER_ID.matcher(value.replace(" ", ""));
      assertThat(m.find()).as(value).isTrue();
      ids.add(Long.parseLong(m.group(1)));
    }
    ids.sort(null);
    List<Long> expected = new ArrayList<>();
    for (long id = 1; id <= (long) DAYS * PER_DAY; id++) {
      expected.add(id);
    }
    assertThat(ids).as(how + ": the orders read_committed").isEqualTo(expected);
  }
}
