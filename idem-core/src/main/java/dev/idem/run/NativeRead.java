package dev.idem.run;

import dev.idem.destination.SupportsCsvFiles;
import dev.idem.destination.WindowWrite;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DriftPolicy;
import dev.idem.source.CsvFiles;
import dev.idem.source.OffersCsvFiles;
import dev.idem.window.Window;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window whose records the destination reads from the source's CSV files itself (ADR 0009),
 * instead of the row loop parsing, typing and staging each one: taken only where the row loop would
 * do nothing to a record but stage it (no row function, no hash key, no column added by {@code
 * evolve}, a fingerprint of the files' bytes rather than of the records), and only when the source
 * vouches for the files' bytes and the destination for every value. Anything else, and the window
 * goes through the row loop as always, which gives the dead letters and their positions.
 */
final class NativeRead {
  private static final Logger LOG = LoggerFactory.getLogger(NativeRead.class);

  private NativeRead() {}

  /** System property that turns it off ({@code -Didem.native.csv=false}). */
  static final String PROPERTY = "idem.native.csv";

  /**
   * The schema of the window, staged by {@code write} from the source's files, or empty when that
   * is not allowed, not offered or not proven (nothing staged then).
   */
  static Optional<SchemaWatch> attempt(
      Pipeline pipeline, Window window, WindowWrite write, boolean cheapFingerprint)
      throws IOException {
    if ("false".equals(System.getProperty(PROPERTY))
        || !cheapFingerprint
        || !(pipeline.source() instanceof OffersCsvFiles source)
        || !(write instanceof SupportsCsvFiles destination)
        || !destination.readsCsvFiles()
        || !pipeline.rowFunctions().isEmpty()
        || pipeline.schemaDrift() == DriftPolicy.EVOLVE
        || hashKey(pipeline)) {
      return Optional.empty();
    }
    Optional<CsvFiles> files = source.csvFiles(pipeline.windows(), window);
    if (files.isEmpty()) {
      return Optional.empty();
    }
    OptionalLong staged = destination.stageCsvFiles(files.get());
    if (staged.isEmpty()) {
      return Optional.empty();
    }
    LOG.debug(
        "window {}: {} records staged by the destination from the source's CSV files",
        window.id(),
        staged.getAsLong());
    return Optional.of(SchemaWatch.ofStagedFiles(pipeline, window, source, staged.getAsLong()));
  }

  private static boolean hashKey(Pipeline pipeline) {
    KeySpec key = pipeline.target().key();
    return key != null && key.kind() == KeySpec.Kind.HASH;
  }
}
