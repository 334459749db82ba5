package dev.idem.serve;

import dev.idem.ConfigException;
import dev.idem.ledger.WindowState;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A pipeline's windows laid out as a grid of rows: day windows by month (a cell per day of the
 * month, days with no window left grey), hour windows by day (a cell per hour), stream windows by
 * partition (a cell per offset range), any other kind (files, batches, full) in one row in ledger
 * order.
 */
final class Grid {
  /** One cell: a window with its status, or a gap (status null) where the calendar has none. */
  record Cell(String windowId, String label, String status) {
    boolean gap() {
      return status == null;
    }
  }

  record Row(String heading, List<Cell> cells) {}

  private Grid() {}

  static List<Row> rows(
      WindowKind kind, List<WindowState> states, Function<WindowState, String> status) {
    try {
      return switch (kind) {
        case DAY -> calendar(states, status, 7, Grid::daysOf);
        case HOUR -> calendar(states, status, 10, day -> hoursOf(day));
        case OFFSETS -> byPartition(states, status);
        default -> List.of(flat(kind.name().toLowerCase(Locale.ROOT), states, status));
      };
    } catch (DateTimeParseException | IllegalArgumentException | ConfigException e) {
      // a window id of another shape (a ledger written under another window spec): listed as is
      return List.of(flat("windows", states, status));
    }
  }

  /**
   * Rows keyed by the id's first {@code prefix} characters (a month, a day), each with every slot
   * the calendar has for it ({@code slots}: the ids of its days or hours).
   */
  private static List<Row> calendar(
      List<WindowState> states,
      Function<WindowState, String> status,
      int prefix,
      Function<String, List<String>> slots) {
    Map<String, Map<String, WindowState>> byRow = new LinkedHashMap<>();
    for (WindowState s : states) {
      String id = s.windowId();
      if (id.length() <= prefix) {
        throw new IllegalArgumentException(id);
      }
      byRow.computeIfAbsent(id.substring(0, prefix), k -> new LinkedHashMap<>()).put(id, s);
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Map<String, WindowState>> e : byRow.entrySet()) {
      List<Cell> cells = new ArrayList<>();
      List<String> ids = slots.apply(e.getKey());
      for (String id : ids) {
        WindowState s = e.getValue().remove(id);
        String label = id.substring(prefix + 1);
        cells.add(s == null ? new Cell(id, label, null) : new Cell(id, label, status.apply(s)));
      }
      // ids the calendar does not produce (another zone's spelling) still show, at the end
      e.getValue()
          .values()
          .forEach(s -> cells.add(new Cell(s.windowId(), s.windowId(), status.apply(s))));
      rows.add(new Row(e.getKey(), cells));
    }
    return rows;
  }

  private static List<String> daysOf(String month) {
    YearMonth m = YearMonth.parse(month);
    List<String> days = new ArrayList<>();
    for (int d = 1; d <= m.lengthOfMonth(); d++) {
      days.add(m.atDay(d).toString());
    }
    return days;
  }

  private static List<String> hoursOf(String day) {
    LocalDate.parse(day);
    List<String> hours = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      hours.add(day + "T" + (h < 10 ? "0" : "") + h);
    }
    return hours;
  }

  private static List<Row> byPartition(
      List<WindowState> states, Function<WindowState, String> status) {
    Map<String, List<Cell>> byPartition = new LinkedHashMap<>();
    List<WindowState> sorted = new ArrayList<>(states);
    sorted.sort(
        java.util.Comparator.comparing(
                (WindowState s) -> WindowSpec.OffsetsId.parse(s.windowId()).partitionName())
            .thenComparingLong(s -> WindowSpec.OffsetsId.parse(s.windowId()).start()));
    for (WindowState s : sorted) {
      WindowSpec.OffsetsId id = WindowSpec.OffsetsId.parse(s.windowId());
      String label =
          "@" + id.start() + (s.sourcePosition() == null ? "" : "–" + s.sourcePosition());
      byPartition
          .computeIfAbsent(id.partitionName(), k -> new ArrayList<>())
          .add(new Cell(s.windowId(), label, status.apply(s)));
    }
    List<Row> rows = new ArrayList<>();
    byPartition.forEach((p, cells) -> rows.add(new Row(p, cells)));
    return rows;
  }

  private static Row flat(
      String heading, List<WindowState> states, Function<WindowState, String> status) {
    List<Cell> cells = new ArrayList<>();
    for (WindowState s : states) {
      cells.add(new Cell(s.windowId(), s.windowId(), status.apply(s)));
    }
    return new Row(heading, cells);
  }
}
