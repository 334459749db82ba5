package dev.idem.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: left-aligned text, right-aligned numbers, two spaces between columns. */
final class TextTable {
  private final List<String> headers;
  private final boolean[] numeric;
  private final List<List<String>> rows = new ArrayList<>();

  /** A header starting with '>' is a right-aligned (numeric) column; the '>' is not shown. */
  TextTable(String... headers) {
    this.headers = new ArrayList<>();
    this.numeric = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      numeric[i] = headers[i].startsWith(">");
      this.headers.add(numeric[i] ? headers[i].substring(1) : headers[i]);
    }
  }

  TextTable row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "" : String.valueOf(c).replaceAll("\\s*\\R\\s*", " "));
    }
    rows.add(r);
    return this;
  }

  List<String> lines() {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(format(headers, width));
    for (List<String> r : rows) {
      lines.add(format(r, width));
    }
    return lines;
  }

  private String format(List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      boolean last = i == cells.size() - 1;
      if (i > 0) {
        sb.append("  ");
      }
      if (numeric[i]) {
        sb.append(" ".repeat(width[i] - c.length())).append(c);
      } else {
        sb.append(c);
        if (!last) {
          sb.append(" ".repeat(width[i] - c.length()));
        }
      }
    }
    return sb.toString().stripTrailing();
  }
}
