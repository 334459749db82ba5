package dev.idem.run;

import dev.idem.destination.Destination;
import dev.idem.ledger.Presence;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The identities one {@link Runner} works under in lease records, {@code process/instance.n}: each
 * thread of a run is its own owner, present in the ledger for as long as it works, so that a claim
 * tells a holder that left (its presence ended) from one still loading. Every part of a run enters
 * the ledger here, the one place that pairs an owner with its presence.
 */
final class Owners {
  private final Destination destination;
  private final String process;

  /** Distinguishes runners of one process in lease records. */
  private final String instance = UUID.randomUUID().toString().substring(0, 8);

  private final AtomicInteger sequence = new AtomicInteger();

  Owners(Destination destination, String process) {
    this.destination = destination;
    this.process = process;
  }

  /** A new owner, not yet present. */
  String next() {
    return process + "/" + instance + "." + sequence.incrementAndGet();
  }

  /** The number of the last owner handed out (names the runner threads). */
  int last() {
    return sequence.get();
  }

  /** Works as {@code owner}, present in the ledger until the work ends, however it ends. */
  @SuppressWarnings("try") // the presence is held, not used, while the work runs
  void present(String owner, Consumer<String> work) {
    try (Presence presence = destination.ledger().enter(owner)) {
      work.accept(owner);
    }
  }

  /** Works as a new owner, present in the ledger until the work ends. */
  void present(Consumer<String> work) {
    present(next(), work);
  }
}
