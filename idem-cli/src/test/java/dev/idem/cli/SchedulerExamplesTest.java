package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example DAGs in {@code examples/schedulers} build a command line idem accepts: the list
 * {@code IDEM_COMMAND} between the markers {@code # idem-command-begin} and {@code #
 * idem-command-end} is read from each file, its templates are filled in as Airflow and Dagster fill
 * them for the run of 2024-03-02, and it is run on a copy of the orders example.
 */
class SchedulerExamplesTest {
  private static final Path EXAMPLES =
      Path.of("..", "examples", "schedulers").toAbsolutePath().normalize();

  /** An item of the list: a string literal, or a name (a variable of the file). */
  private static final Pattern ITEM = Pattern.compile("\"([^\"]*)\"|([A-Za-z_][A-Za-z_0-9]*)");

  @TempDir Path tmp;
  Path orders;

  @BeforeEach
  void copyOrders() throws IOException {
    orders = SchedulerFlagsTest.copyOrders(tmp);
  }

  @Test
  void theAirflowDagsCommandLoadsItsDataInterval() throws IOException {
    // str() of the pendulum DateTimes Airflow renders for the daily run of 2024-03-02
    List<String> args =
        command(
            "airflow_dag.py",
            Map.of(
                "{{ data_interval_start }}", "2024-03-02T00:00:00+00:00",
                "{{ data_interval_end }}", "2024-03-03T00:00:00+00:00",
                "{{ logical_date }}", "2024-03-02T00:00:00+00:00",
                "{{ run_id }}", "scheduled__2024-03-02T00:00:00+00:00"));
    assertThat(args).startsWith("run").contains("--data-interval-start", "--logical-date");
    assertThat(SchedulerFlagsTest.loaded(Map.of(), args.toArray(String[]::new)))
        .containsExactly("2024-03-02");
  }

  @Test
  void theDagsterJobsCommandLoadsItsPartition() throws IOException {
    // datetime.isoformat() of the partition's time window, its key, the run's id
    List<String> args =
        command(
            "dagster_job.py",
            Map.of(
                "{partition_start}", "2024-03-02T00:00:00+00:00",
                "{partition_end}", "2024-03-03T00:00:00+00:00",
                "{partition_key}", "2024-03-02",
                "{run_id}", "4f1c2b9e-0d7a-4c43-9a55-3f0e8b2f6a10"));
    assertThat(args).startsWith("run").contains("--data-interval-end", "--run-id");
    assertThat(SchedulerFlagsTest.loaded(Map.of(), args.toArray(String[]::new)))
        .containsExactly("2024-03-02");
  }

  /**
   * The example's command line with its templates filled in; {@code PIPELINE} is the copy of the
   * orders example. A template or name the test does not know fails it, so the examples and this
   * test change together.
   */
  private List<String> command(String file, Map<String, String> templates) throws IOException {
    String text = Files.readString(EXAMPLES.resolve(file));
    int begin = text.indexOf("# idem-command-begin");
    int end = text.indexOf("# idem-command-end");
    assertThat(begin).as(file + " marks its command").isNotNegative().isLessThan(end);
    String block = text.substring(text.indexOf('[', begin) + 1, text.lastIndexOf(']', end));
    List<String> args = new ArrayList<>();
    Matcher m = ITEM.matcher(block);
    while (m.find()) {
      if (m.group(2) != null) {
        assertThat(m.group(2)).as("a name in the command of " + file).isEqualTo("PIPELINE");
        args.add(orders.toString());
      } else if (m.group(1).contains("{")) {
        assertThat(templates).as("template of " + file).containsKey(m.group(1));
        args.add(templates.get(m.group(1)));
      } else {
        args.add(m.group(1));
      }
    }
    return args;
  }
}
