package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.window.SchedulerTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a scheduler passes, on a copy of the orders example (day windows 2024-03-01 to 2024-03-05,
 * UTC): {@code --logical-date} and {@code --data-interval-start/--data-interval-end} in the forms
 * Airflow and Dagster write, and options from {@code IDEM_*} environment variables.
 */
class SchedulerFlagsTest {
  @TempDir Path tmp;
  Path orders;

  @BeforeEach
  void copyOrders() throws IOException {
    orders = copyOrders(tmp);
  }

  /** A copy of the orders example in {@code dir}: its pipeline file. */
  static Path copyOrders(Path dir) throws IOException {
    Path from = Path.of("..", "examples", "orders").toAbsolutePath().normalize();
    Files.createDirectories(dir.resolve("orders/data"));
    try (Stream<Path> files = Files.list(from.resolve("data"))) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve("orders/data").resolve(f.getFileName().toString()));
      }
    }
    Path pipeline = dir.resolve("orders/pipeline.yaml");
    Files.copy(from.resolve("pipeline.yaml"), pipeline);
    return pipeline;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-03-02",
        "2024-03-02T00:00:00+00:00",
        "2024-03-02T00:00:00Z",
        "2024-03-02T00:00:00.000000+00:00",
        "2024-03-02 00:00:00+00:00",
        "2024-03-02T13:45:00+00:00"
      })
  void theLogicalDateSelectsTheWindowCoveringIt(String form) throws Exception {
    assertThat(loaded(Map.of(), "run", orders.toString(), "--logical-date", form))
        .containsExactly("2024-03-02");
  }

  @Test
  void aDataIntervalSelectsEveryWindowOverlappingIt() throws Exception {
    assertThat(interval("2024-03-02T00:00:00+00:00", "2024-03-04 00:00:00+00:00"))
        .containsExactly("2024-03-02", "2024-03-03");
    // an interval ending inside a day takes that day too; the end itself is excluded
    assertThat(interval("2024-03-04T12:00:00Z", "2024-03-05T00:00:00.000001Z", "--force"))
        .containsExactly("2024-03-04", "2024-03-05");
  }

  @Test
  void optionsComeFromIdemEnvironmentVariablesAndFlagsWin() throws Exception {
    Map<String, String> env = Map.of("IDEM_LOGICAL_DATE", "2024-03-05", "IDEM_OUTPUT", "json");
    assertThat(loaded(env, "run", orders.toString())).containsExactly("2024-03-05");
    assertThat(loaded(env, "run", orders.toString(), "--logical-date", "2024-03-01T00:00:00Z"))
        .containsExactly("2024-03-01");
    // a stray variable never turns on a destructive or reloading flag
    Cli.Result r =
        Cli.run(
            Map.of("IDEM_FULL_REFRESH", "true", "IDEM_FORCE", "true"),
            "run",
            orders.toString(),
            "--window",
            "2024-03-01");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 window: 0 loaded, 1 unchanged");
  }

  @Test
  void anEmptyIntervalIsTheWindowCoveringItAndAnotherSelectionWinsOverTheLogicalDate()
      throws Exception {
    assertThat(interval("2024-03-03T06:00:00+00:00", "2024-03-03T06:00:00+00:00"))
        .containsExactly("2024-03-03");
    assertThat(
            loaded(
                Map.of(),
                "run",
                orders.toString(),
                "--window",
                "2024-03-01",
                "--logical-date",
                "2024-03-05"))
        .containsExactly("2024-03-01");
  }

  @Test
  void aFullRefreshLoadsEveryWindowWhateverTheLogicalDate() throws Exception {
    assertThat(
            loaded(
                Map.of(),
                "run",
                orders.toString(),
                "--full-refresh",
                "--logical-date",
                "2024-03-02"))
        .hasSize(5);
  }

  @Test
  void checkTakesTheDataIntervalToo() throws Exception {
    assertThat(Cli.run("run", orders.toString()).exit()).isZero();
    Cli.Result r =
        Cli.run(
            "check",
            orders.toString(),
            "--data-interval-start",
            "2024-03-02T00:00:00+00:00",
            "--data-interval-end",
            "2024-03-03T00:00:00+00:00",
            "--output",
            "json");
    assertThat(r.exit()).as(r.err()).isZero();
    Set<String> checked = new TreeSet<>();
    new ObjectMapper()
        .readTree(r.out())
        .get("checks")
        .forEach(c -> checked.add(c.get("window").asText()));
    assertThat(checked).containsExactly("2024-03-02", "null");
  }

  @Test
  void everyLongOptionHasAVariableButTheDestructiveOnes() {
    Set<String> variables = new TreeSet<>();
    Set<String> without = new TreeSet<>();
    collect(new CommandLine(Idem.standard()), variables, without);
    assertThat(variables)
        .contains(
            "IDEM_LOGICAL_DATE",
            "IDEM_DATA_INTERVAL_START",
            "IDEM_RUN_ID",
            "IDEM_LOCK_TIMEOUT",
            "IDEM_OUTPUT");
    assertThat(without).contains("--force", "--full-refresh", "--fix", "--help");
  }

  private static void collect(CommandLine cmd, Set<String> variables, Set<String> without) {
    for (OptionSpec o : cmd.getCommandSpec().options()) {
      String v = EnvDefaults.variable(o);
      if (v == null) {
        without.add(o.longestName());
      } else {
        variables.add(v);
      }
    }
    cmd.getSubcommands().values().forEach(sub -> collect(sub, variables, without));
  }

  @Test
  void aBadValueIsOneLineNamingTheFlagTheValueAndTheForms() {
    for (String flag : List.of("--logical-date", "--data-interval-start")) {
      List<String> args = new ArrayList<>(List.of("run", orders.toString(), flag, "yesterday"));
      if (flag.equals("--data-interval-start")) {
        args.addAll(List.of("--data-interval-end", "2024-03-02"));
      }
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err())
          .isEqualTo(
              "idem: "
                  + flag
                  + " 'yesterday' is not a date or time: expected one of "
                  + SchedulerTime.FORMS
                  + "\n");
    }
    Cli.Result both =
        Cli.run(
            "run",
            orders.toString(),
            "--window",
            "2024-03-01",
            "--data-interval-start",
            "2024-03-01",
            "--data-interval-end",
            "2024-03-02");
    assertThat(both.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(both.err())
        .isEqualTo(
            "idem: use one of --window, --from/--to, --data-interval-start/--data-interval-end\n");
  }

  /** The windows a run of the data interval {@code [start, end)} loaded. */
  private List<String> interval(String start, String end, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                orders.toString(),
                "--data-interval-start",
                start,
                "--data-interval-end",
                end));
    args.addAll(List.of(more));
    return loaded(Map.of(), args.toArray(String[]::new));
  }

  /** The windows a run loaded (as JSON), after checking it exited 0. */
  static List<String> loaded(Map<String, String> env, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    if (!env.containsKey("IDEM_OUTPUT")) {
      all.addAll(List.of("--output", "json"));
    }
    Cli.Result r = Cli.run(env, all.toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    List<String> windows = new ArrayList<>();
    doc.get("windows").forEach(w -> windows.add(w.get("window").asText()));
    return windows;
  }
}
