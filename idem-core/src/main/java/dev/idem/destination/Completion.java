package dev.idem.destination;

import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowSchema;
import java.util.List;

/**
 * What the ledger row of a finished window records beside the write's own counts, and where the
 * write reports rows it refuses while preparing the window.
 *
 * @param foldedEarly records read that the source's reader folded already ({@link
 *     dev.idem.source.FoldsEarly}, by the rule of the write's {@link WindowWrite#rowFold}): counted
 *     in {@code read}, never staged; the write counts them among the window's folded rows
 * @param schema the window's observed schema, or null when the source does not report one
 * @param sourcePosition where the window's input ended, for sources that read a stream (a Kafka
 *     partition's next offset); null for the others. It commits with the rows, so the ledger, not
 *     the source, says where the next window starts.
 * @param refusals where {@link #refused} reports: the runner's bad-record tally
 */
public record Completion(
    String fingerprint,
    String definitionHash,
    long read,
    long discarded,
    long deadLettered,
    long foldedEarly,
    WindowSchema schema,
    String sourcePosition,
    Refusals refusals) {
  public Completion(
      String fingerprint,
      String definitionHash,
      long read,
      long discarded,
      long deadLettered,
      WindowSchema schema,
      String sourcePosition) {
    this(
        fingerprint,
        definitionHash,
        read,
        discarded,
        deadLettered,
        0,
        schema,
        sourcePosition,
        Refusals.UNJUDGED);
  }

  public Completion(
      String fingerprint, String definitionHash, long read, long discarded, long deadLettered) {
    this(fingerprint, definitionHash, read, discarded, deadLettered, null, null);
  }

  /**
   * Reports staged rows the destination refused while preparing the window (a CHECK constraint of
   * an existing target table, say), once they are in the window's dead letters. The runner counts
   * them with the window's other bad records and judges the pipeline's limits, the one place they
   * are judged: past them this throws, and the window fails, rolled back, with these letters kept.
   * A destination never judges the limits itself.
   */
  public void refused(List<DeadLetter> letters) {
    refusals.refused(letters);
  }

  /** Receives the rows a write refused while preparing its window. */
  @FunctionalInterface
  public interface Refusals {
    /** For a completion made outside a run (a test's): refused rows are not judged. */
    Refusals UNJUDGED = letters -> {};

    void refused(List<DeadLetter> letters);
  }
}
