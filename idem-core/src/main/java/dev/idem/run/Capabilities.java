package dev.idem.run;

import dev.idem.ConfigException;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsDeletes;
import dev.idem.destination.SupportsMerge;
import dev.idem.destination.SupportsNulledValues;
import dev.idem.destination.SupportsReplaceTable;
import dev.idem.destination.SupportsReplaceWindow;
import dev.idem.destination.SupportsSchemaEvolution;
import dev.idem.destination.SupportsSqlTransform;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.DriftPolicy;

/**
 * Refuses a pipeline its destination cannot honour, before any window is touched: first the
 * destination's own reasons ({@link Destination#check}), then the capability mix-ins the pipeline
 * needs (a strategy, SQL transforms, adding columns), checked once when the run is planned.
 */
final class Capabilities {
  private Capabilities() {}

  static void check(Pipeline pipeline, Destination destination) {
    destination.check(pipeline);
    WriteStrategy s = pipeline.target().strategy();
    String name = destination.describe();
    if (s == WriteStrategy.MERGE && !(destination instanceof SupportsMerge)) {
      throw new ConfigException("destination " + name + " does not support strategy merge");
    }
    if (pipeline.target().hasDeletes() && !(destination instanceof SupportsDeletes)) {
      throw new ConfigException(
          "destination "
              + name
              + " does not keep deletes (tombstones): remove the target's delete_flag or deletes");
    }
    if (s == WriteStrategy.REPLACE_WINDOW && !(destination instanceof SupportsReplaceWindow)) {
      throw new ConfigException(
          "destination " + name + " does not support strategy replace_window");
    }
    if (s == WriteStrategy.REPLACE_TABLE && !(destination instanceof SupportsReplaceTable)) {
      throw new ConfigException("destination " + name + " does not support strategy replace_table");
    }
    if (pipeline.badRecords().nullsValues() && !(destination instanceof SupportsNulledValues)) {
      throw new ConfigException(
          "destination "
              + name
              + " does not keep nulled values: on_bad_value null needs a destination that records"
              + " them (a database); use on_bad_value dead_letter");
    }
    if (pipeline.transformSql() != null && !(destination instanceof SupportsSqlTransform)) {
      throw new ConfigException("destination " + name + " does not run SQL transforms");
    }
    if (pipeline.schemaDrift() == DriftPolicy.EVOLVE
        && !(destination instanceof SupportsSchemaEvolution)) {
      throw new ConfigException(
          "destination "
              + name
              + " does not add columns to its tables (schema_drift evolve): use freeze or discard");
    }
  }
}
