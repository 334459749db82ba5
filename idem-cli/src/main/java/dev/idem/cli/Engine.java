package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.Workers;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Where a run's windows are read: the JVM runner by default, or an engine a plugin registers in
 * {@code META-INF/services/dev.idem.cli.Engine} ({@code idem run --engine spark}, from {@code
 * plugins/spark/}). An engine changes how a window's input is read, never the plan, the ledger or
 * the commit: it returns the same definition with the pipeline's source replaced by its own, whose
 * windows, fingerprints and description are the original's, so a window loaded by one engine is
 * unchanged for another.
 */
public interface Engine {
  /** The name {@code --engine} takes. */
  String name();

  /**
   * Starts the engine for one run of {@code definition}.
   *
   * @param sets the command line's {@code --set} overrides, with which the engine's tasks read the
   *     pipeline file again
   * @param master where the engine runs ({@code local[2]}, a cluster's URL); null for its default
   */
  Run start(PipelineDefinition definition, List<String> sets, String master);

  /** A started engine: the definition to run, and closing stops the engine. */
  interface Run extends AutoCloseable {
    PipelineDefinition definition();

    /**
     * Where the destination may run pieces of a window's work (writing its data files): the
     * engine's executors; the calling thread by default.
     */
    default Workers workers() {
      return Workers.IN_PROCESS;
    }

    @Override
    void close();
  }

  /**
   * The engine named {@code name} on the class path; a one-line error naming the plugin folder when
   * it is absent.
   */
  static Engine named(String name, ClassLoader loader) {
    for (Engine e : ServiceLoader.load(Engine.class, loader)) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new ConfigException(
        "--engine "
            + name
            + ": no such engine on the class path (the "
            + name
            + " engine is a plugin: plugins/"
            + name
            + "/ in the distribution, idem-"
            + name
            + "/target/plugin/ in a checkout built with ./mvnw package)");
  }
}
