package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idem.context.RunServices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real command line in process, capturing stdout and stderr (the Spark engine found on
 * this module's class path, as from plugins/spark/).
 */
final class Cli {
  record Result(int exit, String out, String err) {}

  /** The engine options of a run on this module's Spark session. */
  static final String[] SPARK = {"--engine", "spark", "--master", "local[2]"};

  private Cli() {}

  /** {@code idem run PIPELINE --progress none MORE...}, which must exit 0. */
  static Result load(Path pipeline, String... more) {
    List<String> args = new ArrayList<>(List.of("run", pipeline.toString(), "--progress", "none"));
    args.addAll(List.of(more));
    Result r = run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    return r;
  }

  /**
   * {@link #load} on this module's Spark session with each task reading a part of at most {@code
   * partBytes} bytes of a file ({@code -Didem.spark.part.bytes} on the driver).
   */
  static Result loadInParts(Path pipeline, long partBytes) {
    Result r = runInParts(partBytes, pipeline);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    return r;
  }

  /** {@code idem run PIPELINE} on Spark in parts as {@link #loadInParts}, whatever its exit. */
  static Result runInParts(long partBytes, Path pipeline) {
    String before = System.setProperty("idem.spark.part.bytes", Long.toString(partBytes));
    try {
      List<String> args =
          new ArrayList<>(List.of("run", pipeline.toString(), "--progress", "none"));
      args.addAll(List.of(SPARK));
      return run(args.toArray(String[]::new));
    } finally {
      if (before == null) {
        System.clearProperty("idem.spark.part.bytes");
      } else {
        System.setProperty("idem.spark.part.bytes", before);
      }
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Idem idem =
        new Idem(
            // no scan cache: each run learns which windows its files hold (on Spark, in tasks)
            name -> name.equals("IDEM_SCAN_CACHE") ? "off" : null,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false,
            RunServices::defaults,
            DestinationOpener.STANDARD);
    int exit = idem.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /**
   * Each window's ledger entry by {@code idem status}, as its JSON: status, counts, input
   * fingerprint, schema (its fingerprint, drift and what discard dropped) and error, without what
   * differs between two runs of the same input (run, owner, times).
   */
  static List<String> ledger(Path pipeline) throws IOException {
    Result r = run("status", pipeline.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> windows = new ArrayList<>();
    for (JsonNode w : new ObjectMapper().readTree(r.out()).path("windows")) {
      ObjectNode entry = ((ObjectNode) w).deepCopy();
      entry.remove(
          List.of("run_id", "owner", "owner_alive", "lease_expires", "started_at", "finished_at"));
      windows.add(entry.toString());
    }
    return windows;
  }

  /** The pipeline's open dead letters as "window position reason raw", in order. */
  static List<String> deadLetters(Path pipeline) throws IOException {
    Result r = run("dlq", "list", pipeline.toString(), "--output", "json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> letters = new ArrayList<>();
    for (JsonNode l : new ObjectMapper().readTree(r.out()).path("dead_letters")) {
      letters.add(
          l.path("window").asText()
              + " "
              + l.path("position").asText()
              + " "
              + l.path("reason").asText()
              + " "
              + l.path("raw").asText());
    }
    return letters;
  }
}
