package dev.idem.serve;

import dev.idem.IdemException;
import dev.idem.check.CheckResult;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsChecks;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one request reads of a pipeline's destination: opened read-only for the request and closed
 * before the answer is sent, so the page never holds a DuckDB file a run needs and never creates or
 * migrates a ledger. Whatever goes wrong (no file, a file a run holds, a server that is down, a
 * ledger of another version) becomes one line of text, never a stack trace.
 */
final class Inspection {
  private Inspection() {}

  /** A pipeline's windows as the ledger holds them now, or why they cannot be read. */
  record View(
      ServedPipeline served,
      List<WindowState> states,
      Map<String, List<CheckResult>> checks,
      Map<String, Boolean> alive,
      List<DeadLetter> openLetters,
      Instant now,
      String problem,
      String note) {
    String status(WindowState s) {
      return s.stale(now) || Boolean.FALSE.equals(alive.get(s.windowId()))
          ? "stale"
          : s.displayStatus(now);
    }

    long count(String status) {
      return states.stream().filter(s -> status(s).equals(status)).count();
    }

    Optional<WindowState> last() {
      return states.stream()
          .filter(s -> s.finishedAt() != null)
          .max(java.util.Comparator.comparing(WindowState::finishedAt));
    }
  }

  /** One window with its dead letters (open and replayed). */
  record WindowView(View pipeline, WindowState state, List<DeadLetter> letters) {}

  static View read(ServedPipeline p, RunServices services) {
    Instant now = services.clock().instant();
    if (!p.readable()) {
      return failed(p, now, p.problem());
    }
    return withDestination(
        p,
        services,
        now,
        d -> {
          String name = p.name();
          List<WindowState> states = d.ledger().states(name);
          Map<String, List<CheckResult>> byWindow = new LinkedHashMap<>();
          List<CheckResult> checks =
              d instanceof SupportsChecks c ? c.checks(name) : List.<CheckResult>of();
          checks.forEach(
              r -> byWindow.computeIfAbsent(r.windowId(), w -> new ArrayList<>()).add(r));
          Map<String, Boolean> alive = new LinkedHashMap<>();
          for (WindowState s : states) {
            if (s.status() == WindowStatus.RUNNING) {
              alive.put(s.windowId(), d.ledger().alive(s.owner()));
            }
          }
          List<DeadLetter> open = d.ledger().deadLetters(name, Optional.empty(), false);
          return new View(p, states, byWindow, alive, open, now, null, null);
        });
  }

  static WindowView window(ServedPipeline p, String windowId, RunServices services) {
    View view = read(p, services);
    if (view.problem() != null) {
      return new WindowView(view, null, List.of());
    }
    Optional<WindowState> state =
        view.states().stream().filter(s -> s.windowId().equals(windowId)).findFirst();
    if (state.isEmpty()) {
      return new WindowView(
          failed(p, view.now(), "window " + windowId + " is not in the ledger of " + p.name()),
          null,
          List.of());
    }
    View letters =
        withDestination(
            p,
            services,
            view.now(),
            d ->
                new View(
                    p,
                    List.of(),
                    Map.of(),
                    Map.of(),
                    d.ledger().deadLetters(p.name(), Optional.of(windowId), true),
                    view.now(),
                    null,
                    null));
    if (letters.problem() != null) {
      return new WindowView(letters, null, List.of());
    }
    return new WindowView(view, state.get(), letters.openLetters());
  }

  /**
   * Opens the destination read-only, reads, closes. A problem of any kind is the page's message:
   * this is the boundary between the destination and a person's browser.
   */
  static View withDestination(
      ServedPipeline p, RunServices services, Instant now, Function<Destination, View> read) {
    Optional<String> missing = p.destination().missing();
    if (missing.isPresent()) {
      // not a problem: nothing has run yet, and opening the file would create it
      return new View(
          p, List.of(), Map.of(), Map.of(), List.of(), now, null, "never run: nothing there yet");
    }
    try (Destination d = p.destination().openReadOnly(services)) {
      return read.apply(d);
    } catch (RuntimeException e) { // a destination's failure of any kind becomes the page's message
      return failed(p, now, oneLine(e));
    }
  }

  static View failed(ServedPipeline p, Instant now, String problem) {
    return new View(p, List.of(), Map.of(), Map.of(), List.of(), now, problem, null);
  }

  /**
   * An exception as one line for a person: its message, with the class only when it is not ours.
   */
  static String oneLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return e instanceof IdemException ? line : e.getClass().getSimpleName() + ": " + line;
  }
}
