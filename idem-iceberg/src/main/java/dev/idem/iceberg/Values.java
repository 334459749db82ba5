package dev.idem.iceberg;

import dev.idem.schema.Column;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/** Typed values as text in the ledger file (tombstone versions), and back by column type. */
final class Values {
  private Values() {}

  static List<String> text(List<Object> values) {
    List<String> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add(v == null ? null : v instanceof BigDecimal d ? d.toPlainString() : v.toString());
    }
    return out;
  }

  static List<Object> parse(List<Column> columns, List<String> text) {
    List<Object> out = new ArrayList<>(text.size());
    for (int i = 0; i < text.size(); i++) {
      out.add(parse(columns.get(i), text.get(i)));
    }
    return out;
  }

  private static Object parse(Column c, String t) {
    if (t == null) {
      return null;
    }
    return switch (c.type().kind()) {
      case INTEGER -> Long.parseLong(t);
      case DECIMAL -> new BigDecimal(t);
      case BOOLEAN -> Boolean.parseBoolean(t);
      case DATE -> LocalDate.parse(t);
      case TIMESTAMP -> LocalDateTime.parse(t);
      case TIMESTAMPTZ -> Instant.parse(t);
      case STRING, JSON -> t;
    };
  }
}
