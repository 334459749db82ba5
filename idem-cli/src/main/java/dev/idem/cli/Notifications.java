package dev.idem.cli;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.notify.Notifier;
import dev.idem.notify.SupportsOutbox;
import java.util.function.Consumer;

/**
 * A run's {@code notify:} hooks: before it, the destination is told to keep the outbox entries the
 * hooks want (in each window's own commit); after it, every undelivered entry is delivered, those
 * of this run and those an earlier run left (a crash right after a commit, an API that was down).
 */
final class Notifications {
  private Notifications() {}

  /** Refuses a destination that keeps no outbox, before any window is touched. */
  static void prepare(PipelineDefinition definition, Destination destination) {
    if (definition.notifier() == null) {
      return;
    }
    if (!(destination instanceof SupportsOutbox outbox)) {
      throw new ConfigException(
          definition.file()
              + ": notify: destination "
              + destination.describe()
              + " keeps no outbox; notify: works with the JDBC destinations (DuckDB, PostgreSQL)");
    }
    outbox.keepOutbox(definition.pipeline().name(), definition.notifier().events());
  }

  /**
   * Delivers what is undelivered; a failure to deliver is said, never fails the run (its windows
   * are committed): the entries stay in the outbox for the next run.
   */
  static void deliver(
      PipelineDefinition definition,
      Destination destination,
      RunServices services,
      Consumer<String> say) {
    Notifier notifier = definition.notifier();
    if (notifier == null) {
      return;
    }
    try {
      Notifier.Delivery d = notifier.deliver(destination, definition.pipeline().name(), services);
      if (d.delivered() > 0) {
        say.accept("notify: " + d.delivered() + " delivered");
      }
      if (d.refused() > 0) {
        say.accept(
            "warning: notify: "
                + d.refused()
                + " refused by the hook (kept in _idem.http_requests with the response)");
      }
      if (d.pending() > d.held()) {
        say.accept(
            "warning: notify: "
                + (d.pending() - d.held())
                + " not delivered yet; the next run sends them");
      }
      if (d.held() > 0) {
        say.accept(
            "warning: notify: "
                + d.held()
                + " held as of unknown outcome (sent, never answered, past the key's lifetime):"
                + " never sent again until idem resolve FILE --request KEY --as sent|not-sent");
        for (String h : notifier.held(destination, definition.pipeline().name())) {
          say.accept("warning: notify: held: " + h);
        }
      }
    } catch (RuntimeException e) {
      say.accept(
          "warning: notify: delivery failed ("
              + ErrorHandler.message(e)
              + "); the next run sends them");
    }
  }
}
