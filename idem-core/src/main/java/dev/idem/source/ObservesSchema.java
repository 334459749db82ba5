package dev.idem.source;

import dev.idem.schema.ObservedSchema;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;

/**
 * Capability: a source that reports the schema its input shows (a CSV header, the keys and JSON
 * types of JSON lines, a query's result metadata), which {@code schema_drift} policies need.
 */
public interface ObservesSchema {
  /**
   * Reads a window as {@link Source#read} does, reporting into {@code observed} what the input
   * shows of its schema as it goes. A declared column the input lacks reads as null (the runner
   * judges it by the policy) instead of failing the read. When {@link ObservedSchema#keepsAdded()},
   * each record's {@code values()} holds the declared columns followed by the values of the added
   * columns known when it was read, in {@link ObservedSchema#add} order and typed as {@link
   * ObservedSchema#column}; a value that is not of its type makes the record bad and is reported
   * with {@link ObservedSchema#retyped}.
   */
  RecordReader read(WindowSpec spec, Window window, ObservedSchema observed) throws IOException;
}
