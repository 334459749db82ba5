package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.iceberg.TableContents;
import dev.idem.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CrossEngineTest}'s merge case on Parquet input ({@code source: {type: parquet}}): the JVM
 * runner and {@code --engine spark --master local[2]}, each Spark task reading one file, or a part
 * of one (its row groups), with idem's Parquet reader, give equal tables and equal dead letters
 * (window, file:row, reason, raw row), and each engine finds the other's windows UNCHANGED.
 */
@Tag("spark")
class ParquetCrossEngineTest {
  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  /** The version is text in these files: one of them, "x", no integer. */
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message m { required int64 id; optional binary name (STRING);"
              + " optional binary version (STRING);"
              + " required int64 ingested_at (TIMESTAMP(MICROS,false)); }");

  /** {@link #SCHEMA} and a column the pipeline does not declare. */
  private static final MessageType WITH_NOTE =
      SCHEMA.union(
          MessageTypeParser.parseMessageType("message m { optional binary note (STRING); }"));

  /**
   * With a row group for each row when {@code groupPerRow}; with a column {@code note} ("n" and the
   * row's id) when {@code note}.
   */
  private static void write(Path file, boolean groupPerRow, boolean note, Object[]... rows)
      throws IOException {
    MessageType type = note ? WITH_NOTE : SCHEMA;
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    ExampleParquetWriter.Builder b =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(type)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
    if (groupPerRow) {
      b = b.withRowGroupSize(1L).withPageSize(64).withMinRowCountForPageSizeCheck(1);
    }
    try (ParquetWriter<Group> w = b.build()) {
      for (Object[] r : rows) {
        Group g = groups.newGroup().append("id", (Long) r[0]);
        if (r[1] != null) {
          g.append("name", (String) r[1]);
        }
        g.append("version", (String) r[2]);
        g.append(
            "ingested_at",
            ChronoUnit.MICROS.between(
                LocalDateTime.of(1970, 1, 1, 0, 0), LocalDateTime.parse((String) r[3])));
        if (note) {
          g.append("note", "n" + r[0]);
        }
        w.write(g);
      }
    }
  }

  /**
   * The merge pipeline in {@code dir}, {@code extra} added to its file; its first file has a row
   * group for each row and, with {@code note}, a column the pipeline does not declare.
   */
  private Path pipeline(String dir, boolean note, String extra) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(dir).resolve("data"));
    // day 1: duplicates of key 1 (versions 1, 2) and of key 2 (a tie on version 5), a bad version;
    // a row group for each row, so that Spark reads the file in parts
    write(
        d.resolve("a.parquet"),
        true,
        note,
        new Object[] {1L, "a1", "1", "2024-03-01T10:00:00"},
        new Object[] {2L, "b2", "5", "2024-03-01T12:00:00"},
        new Object[] {9L, "bad", "x", "2024-03-01T10:30:00"},
        new Object[] {1L, "a2", "2", "2024-03-01T11:00:00"},
        new Object[] {2L, "b1", "5", "2024-03-01T10:00:00"},
        new Object[] {3L, null, "9", "2024-03-02T10:00:00"});
    // day 2 (an older version of key 3) and day 3 (an older version of key 1)
    write(
        d.resolve("b.parquet"),
        false,
        false,
        new Object[] {3L, "c0", "4", "2024-03-02T09:00:00"},
        new Object[] {1L, "a0", "1", "2024-03-03T10:00:00"},
        new Object[] {4L, "d1", "1", "2024-03-03T10:00:00"});
    Path p = tmp.resolve(dir).resolve("pipeline.yaml");
    Files.writeString(
        p,
        "pipeline: cross\n"
            + "source:\n  type: parquet\n  path: data/*.parquet\n"
            + "columns:\n  id: integer not null\n  name: string\n  version: integer\n"
            + "  ingested_at: timestamp not null\n"
            + "windows:\n  kind: day\n  column: ingested_at\n  zone: UTC\n"
            + "max_bad_records: 10\n"
            + "target:\n  table: t\n  key: [id]\n  strategy: merge\n  order_by: version\n"
            + "destination:\n  type: iceberg\n  warehouse: warehouse/\n"
            + extra);
    return p;
  }

  @Test
  void parquetInputMergesAlikeOnBothEnginesAndEachFindsTheOthersWindowsUnchanged()
      throws IOException {
    Path jvm = pipeline("jvm", false, "");
    Path onSpark = pipeline("spark", false, "");
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    int groups;
    try (ParquetFileReader f =
        ParquetFileReader.open(new LocalInputFile(onSpark.resolveSibling("data/a.parquet")))) {
      groups = f.getRowGroups().size();
    }
    assertThat(groups).as("row groups of a.parquet").isEqualTo(6);
    long tasks = SharedSpark.tasksEnded();
    loadInParts(onSpark);
    // read by Spark: a task per window for each part of a file holding it (the first file holds
    // days 1 and 2 in six parts of a row group each, the second days 2 and 3 in one), none for a
    // file without the window's records
    await().untilAsserted(() -> assertThat(SharedSpark.tasksEnded() - tasks).isEqualTo(6 + 7 + 1));

    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(rows)
        .extracting(r -> r.replaceAll(" ingested_at=\\S+", "").replaceAll(" _idem_window=\\S+", ""))
        .containsExactly(
            "id=1 name=a2 version=2",
            "id=2 name=b2 version=5",
            "id=3 name=null version=9",
            "id=4 name=d1 version=1");
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.deadLetters(onSpark))
        .isEqualTo(Cli.deadLetters(jvm))
        .containsExactly(
            "2024-03-01 data/a.parquet:3 column version: 'x' is not an integer"
                + " {\"id\": 9, \"name\": \"bad\", \"version\": \"x\","
                + " \"ingested_at\": \"2024-03-01T10:30\"}");

    assertThat(Cli.load(jvm, Cli.SPARK).out()).contains("3 unchanged");
    assertThat(Cli.load(onSpark).out()).contains("3 unchanged");
  }

  /**
   * A file read in parts with a column the pipeline does not declare: its parts are read by their
   * tasks and the driver takes what each saw; under {@code evolve} once the driver resolved the
   * column (the destination's answer) as the tasks loaded it. Either way the tables, the added
   * column's values, the ledger entries (counts, the drift, the values discarded) and the one dead
   * letter are the JVM runner's.
   */
  @ParameterizedTest
  @ValueSource(strings = {"evolve", "discard"})
  void aFileInPartsWithAnAddedColumnIsReadAsOnTheJvmRunner(String policy) throws IOException {
    Path jvm = pipeline("jvm", true, "schema_drift: " + policy + "\n");
    Path onSpark = pipeline("spark", true, "schema_drift: " + policy + "\n");
    assertThat(Cli.load(jvm).out()).contains("3 loaded");
    long driverReads = SharedSpark.driverReads();
    loadInParts(onSpark);
    assertThat(SharedSpark.driverReads() - driverReads).as("files the driver read again").isZero();

    List<String> rows = TableContents.of(jvm.resolveSibling("warehouse"), "t");
    assertThat(rows).hasSize(4);
    assertThat(rows.stream().anyMatch(r -> r.contains("note=n2")))
        .isEqualTo(policy.equals("evolve"));
    assertThat(TableContents.of(onSpark.resolveSibling("warehouse"), "t")).isEqualTo(rows);
    assertThat(Cli.ledger(onSpark)).isEqualTo(Cli.ledger(jvm));
    assertThat(Cli.deadLetters(onSpark)).isEqualTo(Cli.deadLetters(jvm)).hasSize(1);
  }

  /** Loads on Spark with a task for each row group of a file (a part of one byte at most). */
  private static void loadInParts(Path pipeline) {
    assertThat(Cli.loadInParts(pipeline, 1).out()).contains("3 loaded");
  }
}
