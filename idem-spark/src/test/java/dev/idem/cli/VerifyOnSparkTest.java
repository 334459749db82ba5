package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem verify --engine spark --master local[2]}: the input is read by Spark tasks, every
 * check (rerun, forced rerun, a crash at each fault point then a retry, overlap, concurrent
 * runners, changed input, key, balance) runs on it into scratch Iceberg warehouses, and {@code
 * engine-read} reads every window again through Spark and through the JVM reader, record for record
 * the same.
 */
@Tag("spark")
class VerifyOnSparkTest {
  @TempDir Path tmp;

  @Test
  void verifyRunsEveryCheckOfASparkPipelineOnLocal2() throws IOException {
    SharedSpark.session();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(
        data.resolve("a.csv"),
        "id,name,version,ingested_at\n"
            + "1,a1,1,2024-03-01 10:00:00\n"
            + "2,b2,5,2024-03-01 12:00:00\n"
            + "x,bad,1,2024-03-01 10:30:00\n"
            + "1,a2,2,2024-03-01 11:00:00\n"
            + "3,c1,9,2024-03-02 10:00:00\n");
    Files.writeString(
        data.resolve("b.csv"),
        "id,name,version,ingested_at\n"
            + "3,c0,4,2024-03-02 09:00:00\n"
            + "1,a0,0,2024-03-03 10:00:00\n"
            + "4,d1,1,2024-03-03 10:00:00\n");
    Path pipeline = tmp.resolve("pipeline.yaml");
    Files.writeString(
        pipeline,
        "pipeline: verified\n"
            + "source:\n  type: csv\n  path: data/*.csv\n  header: true\n"
            + "columns:\n  id: integer not null\n  name: string\n  version: integer\n"
            + "  ingested_at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: ingested_at\n  zone: UTC\n"
            + "max_bad_records: 10\n"
            + "target:\n  table: t\n  key: [id]\n  strategy: merge\n  order_by: version\n"
            + "destination:\n  type: iceberg\n  warehouse: warehouse/\n");

    long tasks = SharedSpark.tasksEnded();
    long scanned = SharedSpark.filesScannedByTasks();
    Map<String, String> onSpark = verdicts(pipeline, "--engine", "spark", "--master", "local[2]");
    // the windows verified were listed by the engine's source: tasks scanned the two files
    assertThat(SharedSpark.filesScannedByTasks() - scanned).isEqualTo(2);
    // Spark read the input: a task per window for each file holding it (4: the first file holds
    // days 1 and 2, the second days 2 and 3) for the capture, and again for engine-read
    await().untilAsserted(() -> assertThat(SharedSpark.tasksEnded() - tasks).isEqualTo(8));
    assertThat(onSpark)
        .containsEntry("clean", "pass")
        .containsEntry("rerun", "pass")
        .containsEntry("rerun-forced", "pass")
        .containsEntry("crash-after-claim", "pass")
        .containsEntry("crash-mid-staging", "pass")
        .containsEntry("crash-after-staging", "pass")
        .containsEntry("crash-before-commit", "pass")
        .containsEntry("crash-after-commit", "pass")
        .containsEntry("crash-between-windows", "pass")
        .containsEntry("overlap", "pass")
        .containsEntry("concurrent", "pass")
        .containsEntry("changed-input", "pass")
        .containsEntry("key", "pass")
        .containsEntry("fingerprint", "pass")
        .containsEntry("balanced", "pass")
        .containsEntry("engine-read", "pass");
    assertThat(onSpark.values()).containsOnly("pass");
  }

  /** {@code idem verify}'s verdict of each check, by name. */
  private static Map<String, String> verdicts(Path pipeline, String... engine) throws IOException {
    List<String> args = new ArrayList<>(List.of("verify", pipeline.toString(), "--output", "json"));
    args.addAll(List.of(engine));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    Map<String, String> verdicts = new LinkedHashMap<>();
    JsonNode checks = new ObjectMapper().readTree(r.out()).path("checks");
    for (JsonNode c : checks) {
      verdicts.put(c.path("check").asText(), c.path("verdict").asText());
    }
    // each check ran on a new scratch namespace: the concurrent runners loaded every window
    assertThat(r.out()).contains("4 runners, 3 windows loaded once each");
    return verdicts;
  }
}
