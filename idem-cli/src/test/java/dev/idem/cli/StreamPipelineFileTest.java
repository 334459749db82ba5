package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline files with a kafka source or a kafka destination: what the command line refuses before
 * it contacts any broker, in one line with exit 2. (Loading is covered against a real broker by
 * {@code KafkaKillTest} and {@code KafkaSinkKillTest}.)
 */
class StreamPipelineFileTest {
  @TempDir Path dir;

  private Path write(String name, String... lines) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  private Path kafkaSource(String windows) throws Exception {
    return write(
        "stream.yaml",
        "pipeline: stream",
        "source:",
        "  type: kafka",
        "  bootstrap_servers: localhost:1",
        "  topic: orders",
        "columns:",
        "  order_id: integer",
        windows,
        "target:",
        "  table: orders",
        "  key: [order_id]",
        "  strategy: merge");
  }

  @Test
  void aKafkaSourceHasOffsetsWindowsOnly() throws Exception {
    Cli.Result r = Cli.run("run", kafkaSource("windows: {kind: day, column: order_id}").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip())
        .endsWith("windows.kind: a kafka source has offsets windows (or leave windows out)")
        .doesNotContain("\n");
  }

  @Test
  void verifyRefusesStreamPipelines() throws Exception {
    Cli.Result r = Cli.run("verify", kafkaSource("").toString(), "--window", "orders-0@0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("idem verify does not check stream pipelines yet");
  }

  @Test
  void aStreamWindowIdIsCheckedAndFollowIsForStreamsOnly() throws Exception {
    Cli.Result bad = Cli.run("run", kafkaSource("").toString(), "--window", "orders-0");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err())
        .contains(
            "window 'orders-0' is not a stream window: expected topic-partition@offset, e.g. orders-0@1000");
    Path files =
        write(
            "files.yaml",
            "pipeline: files",
            "source:",
            "  type: csv",
            "  path: none-*.csv",
            "columns:",
            "  order_id: integer",
            "target:",
            "  table: orders",
            "  key: [order_id]",
            "  strategy: merge");
    Cli.Result follow = Cli.run("run", files.toString(), "--follow");
    assertThat(follow.exit()).isEqualTo(2);
    assertThat(follow.err()).contains("--follow is for stream pipelines (a kafka source)");
  }

  @Test
  void aKafkaDestinationTakesBootstrapServersAndRefusesVerify() throws Exception {
    Path p =
        write(
            "sink.yaml",
            "pipeline: sink",
            "source:",
            "  type: csv",
            "  path: none-*.csv",
            "columns:",
            "  order_id: integer",
            "target:",
            "  table: orders-out",
            "  key: [order_id]",
            "  strategy: append",
            "destination:",
            "  type: kafka",
            "  url: x");
    Cli.Result url = Cli.run("run", p.toString());
    assertThat(url.exit()).isEqualTo(2);
    assertThat(url.err())
        .contains("destination.url: a kafka destination has bootstrap_servers, not url");
    Path ok =
        write(
            "sink2.yaml",
            "pipeline: sink",
            "source:",
            "  type: csv",
            "  path: none-*.csv",
            "columns:",
            "  order_id: integer",
            "target:",
            "  table: orders-out",
            "  key: [order_id]",
            "  strategy: append",
            "destination:",
            "  type: kafka",
            "  bootstrap_servers: localhost:1");
    Cli.Result verify = Cli.run("verify", ok.toString(), "--window", "x");
    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err()).contains("idem verify needs a database destination");
  }
}
