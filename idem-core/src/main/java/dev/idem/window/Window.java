package dev.idem.window;

import java.time.Instant;
import java.util.Objects;

/**
 * The unit of work and of idempotency: a slice of input with a stable id. Time windows carry
 * closed-open bounds {@code [start, end)} as UTC instants; other kinds have no bounds.
 */
public record Window(String id, WindowKind kind, Instant start, Instant end)
    implements Comparable<Window> {
  public Window {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
  }

  public static Window full() {
    return new Window("full", WindowKind.FULL, null, null);
  }

  public static Window batch(String id) {
    return new Window(id, WindowKind.BATCH, null, null);
  }

  public boolean bounded() {
    return start != null;
  }

  /** Windows order by id: for day and hour windows that is time order. */
  @Override
  public int compareTo(Window o) {
    return id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
