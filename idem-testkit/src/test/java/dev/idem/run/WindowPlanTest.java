package dev.idem.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlanTest {
  private static final Schema SCHEMA =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP));

  private static Pipeline daily() {
    ListSource source = new ListSource(SCHEMA);
    source.add(1L, LocalDateTime.parse("2024-03-01T08:00:00"));
    source.add(2L, LocalDateTime.parse("2024-03-03T08:00:00"));
    return Pipeline.builder("orders")
        .source(source)
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .table("orders")
        .strategy(WriteStrategy.REPLACE_WINDOW)
        .build();
  }

  private static List<String> ids(List<Window> windows) {
    return windows.stream().map(Window::id).toList();
  }

  @Test
  void withoutAChoiceEveryWindowOfTheInput() {
    assertThat(ids(WindowPlan.select(daily(), List.of(), null, null)))
        .containsExactly("2024-03-01", "2024-03-03");
  }

  @Test
  void aRangeIncludesBothEndsAndWindowsWithoutInput() {
    assertThat(ids(WindowPlan.select(daily(), List.of(), "2024-03-01", "2024-03-03")))
        .containsExactly("2024-03-01", "2024-03-02", "2024-03-03");
  }

  @Test
  void chosenWindowsOnceEach() {
    assertThat(
            ids(
                WindowPlan.select(
                    daily(), List.of("2024-03-05", "2024-03-05", "2024-03-01"), null, null)))
        .containsExactly("2024-03-05", "2024-03-01");
  }

  @Test
  void aChoiceIsEitherWindowsOrARangeWithBothEnds() {
    assertThatThrownBy(
            () -> WindowPlan.select(daily(), List.of("2024-03-01"), "2024-03-01", "2024-03-02"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("use either --window or --from/--to, not both");
    assertThatThrownBy(() -> WindowPlan.select(daily(), List.of(), "2024-03-01", null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--from and --to go together: give both");
  }

  @Test
  void batchWindowsMustBeChosen() {
    Pipeline batch =
        Pipeline.builder("b")
            .source(new ListSource(SCHEMA))
            .windows(WindowSpec.batch())
            .table("b")
            .strategy(WriteStrategy.REPLACE_WINDOW)
            .build();
    assertThatThrownBy(() -> WindowPlan.select(batch, List.of(), null, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("pipeline b has batch windows: give the batch id with --window");
    assertThat(ids(WindowPlan.select(batch, List.of("run-7"), null, null)))
        .containsExactly("run-7");
  }

  @Test
  void aPipelineWithoutAStreamSourceIsNotRunAsAStream() {
    assertThatThrownBy(() -> WindowPlan.stream(daily(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "pipeline orders is not a stream: it needs a stream source (kafka) and offsets windows");
  }
}
