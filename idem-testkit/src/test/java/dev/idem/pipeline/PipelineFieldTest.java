package dev.idem.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.idem.ConfigException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A builder error names the field it is about, in the pipeline file's path, so a front end can
 * point at its line.
 */
class PipelineFieldTest {
  private static final Schema INPUT =
      new Schema(
          List.of(
              Column.of("id", DataType.INTEGER),
              Column.of("at", DataType.TIMESTAMP),
              Column.of("n", DataType.INTEGER)));

  private static Pipeline.Builder valid() {
    return Pipeline.builder("p")
        .source(new ListSource(INPUT))
        .table("t")
        .key("id")
        .strategy(WriteStrategy.MERGE);
  }

  private static String field(Pipeline.Builder b) {
    ConfigException e = catchThrowableOfType(ConfigException.class, b::build);
    assertThat(e).as("the builder refuses it").isNotNull();
    return e.field().orElse("(none)");
  }

  @Test
  void everyCheckNamesItsField() {
    assertThat(valid().build().name()).isEqualTo("p");
    assertThat(field(valid().windows(WindowSpec.day("nope", null)))).isEqualTo("windows.column");
    assertThat(field(valid().windows(WindowSpec.day("n", null)))).isEqualTo("windows.column");
    assertThat(field(valid().key("nope"))).isEqualTo("target.key");
    assertThat(field(valid().orderBy("nope"))).isEqualTo("target.order_by");
    assertThat(field(valid().deleteFlag("nope"))).isEqualTo("target.delete_flag");
    assertThat(field(valid().deleteFlag("n"))).isEqualTo("target.delete_flag");
    assertThat(
            field(
                valid().strategy(WriteStrategy.REPLACE_TABLE).windows(WindowSpec.day("at", null))))
        .isEqualTo("target.strategy");
    assertThat(field(valid().schemaDrift(DriftPolicy.EVOLVE))).isEqualTo("schema_drift");
    assertThat(field(valid().transform("SELECT 1"))).isEqualTo("target.columns");
    assertThat(
            catchThrowableOfType(ConfigException.class, () -> Pipeline.builder("bad name!"))
                .field())
        .contains("pipeline");
  }

  @Test
  void theMessageIsUnchanged() {
    assertThat(
            catchThrowableOfType(ConfigException.class, valid().orderBy("nope")::build)
                .getMessage())
        .isEqualTo("order_by column 'nope' is not a declared column: expected one of [id, at, n]");
  }
}
