package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idem plan}: which windows a run would load, skip or refuse, and why, without writing: the
 * destination's file is neither created nor changed.
 */
class PlanCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path orders;
  Path duckdb;

  @BeforeEach
  void copyOrders() throws IOException {
    orders = SchedulerFlagsTest.copyOrders(tmp);
    duckdb = orders.getParent().resolve("orders.duckdb");
  }

  @Test
  void aPipelineThatNeverRanWouldLoadEveryWindowAndNoDatabaseIsCreated() {
    Cli.Result r = Cli.run("plan", orders.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("2024-03-01  load   -       never loaded: there is no DuckDB file")
        .contains("5 windows: 5 would load, 0 would be skipped, 0 refused");
    assertThat(duckdb).doesNotExist();
    assertThat(orders.getParent().resolve(".idem")).doesNotExist();
  }

  @Test
  void afterARunOnlyTheChangedWindowWouldLoadAndTheDatabaseIsUnchanged() throws IOException {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    Files.writeString(
        orders.getParent().resolve("data/orders-2024-03-02.csv"),
        "9999,zed,widget,1,1.00,new,2024-03-02T10:00:00,2024-03-02T10:00:00\n",
        StandardOpenOption.APPEND);
    String before = digest(orders.getParent());

    Cli.Result r = Cli.run("plan", orders.toString(), "--output", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(digest(orders.getParent())).isEqualTo(before);
    JsonNode doc = JSON.readTree(r.out());
    Map<String, String> wouldLoad = new TreeMap<>();
    for (JsonNode w : doc.get("windows")) {
      if (w.get("action").asText().equals("load")) {
        wouldLoad.put(w.get("window").asText(), w.get("reason").asText());
      } else {
        assertThat(w.get("action").asText()).isEqualTo("skip");
        assertThat(w.get("reason").asText()).isEqualTo("unchanged (same input, same definition)");
      }
    }
    // the file of 2024-03-02 changed; a window with records in it changed with it
    assertThat(wouldLoad).containsEntry("2024-03-02", "the input changed");
    assertThat(wouldLoad.values()).containsOnly("the input changed");
    assertThat(doc.get("summary").get("skip").asInt()).isEqualTo(5 - wouldLoad.size());

    // the run that follows does what the plan said
    Cli.Result run = Cli.run("run", orders.toString(), "--output", "json");
    List<String> loaded = new ArrayList<>();
    for (JsonNode w : JSON.readTree(run.out()).get("windows")) {
      if (w.get("result").asText().equals("loaded")) {
        loaded.add(w.get("window").asText());
      }
    }
    assertThat(loaded).containsExactlyElementsOf(wouldLoad.keySet());
  }

  @Test
  void forcedOrWithAChangedDefinitionEveryWindowWouldLoad() throws IOException {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();

    assertThat(Cli.run("plan", orders.toString(), "--force", "--window", "2024-03-01").out())
        .contains("2024-03-01  load   done    forced (--force)");
    assertThat(
            Cli.run(
                    "plan",
                    orders.toString(),
                    "--set",
                    "version=2",
                    "--from",
                    "2024-03-01",
                    "--to",
                    "2024-03-02")
                .out())
        .contains("2024-03-02  load   done    the pipeline definition changed")
        .contains("2 windows: 2 would load");
  }

  /** A digest of every file under {@code dir}: names and contents. */
  private static String digest(Path dir) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted().toList()) {
          md.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          if (Files.isRegularFile(f)) {
            md.update(Files.readAllBytes(f));
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
