package dev.idem.run;

import dev.idem.key.KeySpec;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.OnBadValue;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import java.util.HashSet;
import java.util.Set;

/**
 * The one place the pipeline's {@code on_bad_value} is judged, for a record some of whose values
 * could not be typed: the row loads with them NULL when every bad value's column is nulled by the
 * policy and may hold NULL; otherwise the record is dead-lettered, its reason naming every bad
 * column. A key column, a column declared not null and the window column never take a NULL for a
 * bad value, nor do an {@code order_by} column (a NULL version would lose to every other) and the
 * delete rule's column (a NULL would turn a delete into an upsert): the record is a dead letter
 * whatever the policy.
 */
final class BadValues {
  private final BadRecordPolicy policy;

  /** The key's columns (or hashed fields), which a bad value never nulls. */
  private final Set<String> keys = new HashSet<>();

  private final Set<String> notNull = new HashSet<>();
  private final Set<String> orderBy;
  private final String deleteColumn;
  private final String windowColumn;

  BadValues(Pipeline pipeline) {
    this.policy = pipeline.badRecords();
    KeySpec key = pipeline.target().key();
    if (key != null) {
      keys.addAll(key.fields());
    }
    for (Column c : pipeline.source().schema().columns()) {
      if (!c.nullable()) {
        notNull.add(c.name());
      }
    }
    this.orderBy = Set.copyOf(pipeline.target().orderBy());
    this.deleteColumn =
        pipeline.target().deletes() == null ? null : pipeline.target().deletes().column();
    this.windowColumn = pipeline.windows().column();
  }

  /**
   * The record as it loads: nulled ({@link SourceRecord#nulled}) when every bad value may be
   * nulled; else unchanged, a bad record whose reason names each bad column, and, under the null
   * policy, why a value could not be nulled.
   */
  SourceRecord judge(SourceRecord r) {
    if (r.badValues().isEmpty() || !policy.nullsValues()) {
      return r;
    }
    boolean keep = true;
    StringBuilder reason = new StringBuilder();
    for (BadValue v : r.badValues()) {
      String kept = keptWhy(v.column());
      keep &= kept == null;
      reason.append(reason.length() == 0 ? "" : "; ").append(v.reason());
      if (kept != null) {
        reason.append(" (not nulled: ").append(kept).append(')');
      }
    }
    return keep ? r.nulled() : SourceRecord.bad(r.position(), r.raw(), reason.toString());
  }

  /** Why a bad value of {@code column} cannot be nulled, or null when it can. */
  private String keptWhy(String column) {
    if (policy.onBadValue(column) != OnBadValue.NULL) {
      return "on_bad_value dead_letter";
    }
    if (column.equals(windowColumn)) {
      return "the window column";
    }
    if (keys.contains(column)) {
      return "a key column";
    }
    if (notNull.contains(column)) {
      return "declared not null";
    }
    if (orderBy.contains(column)) {
      return "an order_by column"; // a NULL version would silently lose to every other
    }
    if (column.equals(deleteColumn)) {
      return "the delete column"; // a NULL would turn a delete into an upsert
    }
    return null;
  }
}
