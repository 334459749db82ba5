package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.source.file.FileSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task loads the pipeline file the driver loaded, or fails naming the change (no Spark). */
class PipelineRefTest {
  @TempDir Path dir;

  private static final String PIPELINE =
      "pipeline: p\n"
          + "source: {type: csv, path: data/*.csv, header: true, delimiter: ','}\n"
          + "columns: {id: integer, at: timestamp}\n"
          + "windows: {kind: day, column: at, zone: UTC}\n"
          + "target: {table: t, key: [id], strategy: merge}\n"
          + "destination: {type: iceberg, warehouse: warehouse/}\n";

  @Test
  void aTaskLoadsThePipelineFileNarrowedToItsFileByItsVerbatimName() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("a[1] #2: 'x'.csv"), "id,at\n1,2024-03-01 10:00:00\n");
    Files.writeString(data.resolve("a1 #2: 'x'.csv"), "id,at\n2,2024-03-01 10:00:00\n");
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, PIPELINE);
    PipelineRef ref = PipelineRef.of(file, List.of("max_bad_records=3"));
    try (PipelineDefinition d = ref.narrowed(SparkSource.literal("data/a[1] #2: 'x'.csv"))) {
      // the one file, named as the whole source names it (not a1's, which the glob a[1] matches)
      assertThat(((FileSource) d.pipeline().source()).inputFiles())
          .containsExactly("data/a[1] #2: 'x'.csv");
      assertThat(d.pipeline().badRecords().maxRecords()).isEqualTo(3);
    }
  }

  @Test
  void aPipelineFileEditedSinceTheRunStartedFailsTheTask() throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, PIPELINE);
    PipelineRef ref = PipelineRef.of(file, List.of());
    Files.writeString(file, PIPELINE.replace("delimiter: ','", "delimiter: ';'"));
    assertThatThrownBy(() -> ref.narrowed("data/a.csv"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("pipeline file " + file + " changed since the run started")
        .hasMessageContaining("run again");
  }
}
