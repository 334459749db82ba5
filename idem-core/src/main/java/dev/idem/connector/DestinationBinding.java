package dev.idem.connector;

import dev.idem.IdemException;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.time.Duration;
import java.util.Optional;

/**
 * A checked {@code destination:} section: what the command line needs before a destination exists.
 * Opening gives the {@link Destination}, whose own capabilities (checks, doctor, verification) are
 * checked on it. Holds secrets, so it shows itself only through {@link #describe()}.
 */
public interface DestinationBinding {
  /**
   * Opens (connects to) the destination; waits up to {@code lockTimeout} for one another process
   * holds.
   */
  Destination open(RunServices services, Duration lockTimeout);

  /**
   * Opens the destination for reading only ({@code idem serve}): never creates, migrates or writes
   * anything, and fails at once, without waiting, with one line saying why when another process
   * holds it or its ledger cannot be read as it is (none yet, another version's). Default: refuses.
   */
  default Destination openReadOnly(RunServices services) {
    throw new IdemException(describe() + ": this kind of destination cannot be opened read-only");
  }

  /** The destination for messages, without secrets ({@code jdbc:postgresql://db/dw?user=***}). */
  String describe();

  /**
   * Why there is nothing to inspect yet, when the destination does not exist and opening it would
   * create it ({@code there is no DuckDB file ...}): status, check and doctor then say the pipeline
   * has never run. Empty when it exists or cannot tell.
   */
  default Optional<String> missing() {
    return Optional.empty();
  }

  /** Why this destination has no scratch twin for {@code idem verify}; empty when it has one. */
  default Optional<String> noScratch() {
    return Optional.empty();
  }

  /**
   * A new, empty destination of the same kind, removed when closed (what {@code idem verify}
   * writes).
   */
  Destination scratch(RunServices services);
}
