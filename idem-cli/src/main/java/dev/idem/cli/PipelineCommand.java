package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.cli.pipelinefile.PipelineFile;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that work on one pipeline file: reads and checks the file, opens its
 * destination, runs {@link #execute}, and closes everything whatever happens.
 */
abstract class PipelineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** The top command, whatever the nesting (run, or dlq list). */
  Idem idem;

  @Parameters(index = "0", paramLabel = "PIPELINE", description = "The pipeline file (YAML).")
  Path file;

  @Mixin ConfigOptions config;

  @Mixin OutputOptions output;

  @Mixin LogOptions log;

  /** When the command started: --lock-timeout counts from here, scanning the input included. */
  private Instant begun;

  @Override
  public final Integer call() {
    idem = (Idem) spec.root().userObject();
    try (Logs logs = Logs.start(idem.err, log.level(output.verbose), log.logFormat, idem.secrets)) {
      return call(idem.services.get());
    }
  }

  private int call(RunServices base) {
    RunServices services = services(base);
    begun = services.clock().instant();
    try (PipelineDefinition definition =
        PipelineFile.load(file, config.sets, idem.env, idem.secrets, idem.connectors)) {
      beforeOpen(definition, services);
      Integer done = withoutOpening(definition);
      if (done != null) {
        return done;
      }
      Instant starting = services.clock().instant();
      try (Engine.Run engine = engine(definition)) {
        // starting an engine (a Spark session on a cluster) does not count against --lock-timeout
        begun = begun.plus(Duration.between(starting, services.clock().instant()));
        PipelineDefinition run = engine == null ? definition : engine.definition();
        RunServices on = engine == null ? services : services.withWorkers(engine.workers());
        if (engine != null) {
          engineStarted(run);
        }
        try (Destination destination = open(run, on)) {
          return execute(run, destination, on);
        }
      }
    }
  }

  /**
   * The engine this command runs on ({@code --engine}), started before the destination opens so
   * that the destination is given the engine's workers; null for the JVM runner.
   */
  Engine.Run engine(PipelineDefinition definition) {
    return null;
  }

  Destination open(PipelineDefinition definition, RunServices services) {
    return idem.destinations.open(definition.destination(), services, lockTimeoutLeft(services));
  }

  /**
   * What is left of {@code --lock-timeout} for the destination's lock: the wait counts from the
   * command's start, so the time spent listing the input's windows before opening is part of it.
   */
  Duration lockTimeoutLeft(RunServices services) {
    Duration left = config.lockTimeout.minus(Duration.between(begun, services.clock().instant()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** The runtime services of this command: the process's, adjusted by the command's options. */
  RunServices services(RunServices base) {
    return base;
  }

  /** Checks the command's arguments against the pipeline before the destination is opened. */
  void beforeOpen(PipelineDefinition definition, RunServices services) {}

  /**
   * Called once the engine started ({@link #engine}), before the destination is opened, with the
   * pipeline as the engine runs it (its source reading on the engine's executors).
   */
  void engineStarted(PipelineDefinition run) {}

  /** An exit code when the command is done without opening the destination; null to go on. */
  Integer withoutOpening(PipelineDefinition definition) {
    return null;
  }

  /**
   * For the commands that only inspect (status, check, doctor): when the destination does not exist
   * yet, opening it would create it (an empty DuckDB file left behind), so the pipeline has never
   * run there: prints that ({@code json} in JSON) and returns 0; null when it exists.
   */
  Integer neverRan(PipelineDefinition definition, Supplier<String> json) {
    Optional<String> missing = definition.destination().missing();
    if (missing.isEmpty()) {
      return null;
    }
    if (output.json()) {
      idem.println(json.get());
    } else {
      idem.println("pipeline " + definition.pipeline().name() + " has never run: " + missing.get());
    }
    return ExitCode.OK;
  }

  /** Does the command's work and returns its exit code. */
  abstract int execute(
      PipelineDefinition definition, Destination destination, RunServices services);
}
