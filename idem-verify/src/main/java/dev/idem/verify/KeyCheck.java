package dev.idem.verify;

import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Schema;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Does the key identify a record? Two different records with the same key (and the same {@code
 * order_by} values, when order_by is declared) are not versions of one row: idem keeps one of them
 * by a deterministic tie-break and the other is lost, so the key is wrong. Checked on the captured
 * input, within and across windows; not checkable when a transform or row function shapes the rows
 * that are keyed.
 */
final class KeyCheck {
  private KeyCheck() {}

  /** Why the check cannot run on this pipeline, or empty when it can. */
  static Optional<String> notApplicable(Pipeline pipeline) {
    if (pipeline.target().key() == null) {
      return Optional.of("the target has no key");
    }
    if (pipeline.transformSql() != null || !pipeline.rowFunctions().isEmpty()) {
      return Optional.of(
          "a transform shapes the keyed rows, so keys are checked in the target only (by its unique index)");
    }
    return Optional.empty();
  }

  /**
   * The first ambiguity found, described for a person; empty when every key identifies one record.
   */
  static Optional<String> firstAmbiguity(Pipeline pipeline, CapturedInput input) {
    Schema schema = pipeline.source().schema();
    KeySpec key = pipeline.target().key();
    int[] keyIdx = key.fields().stream().mapToInt(schema::indexOf).toArray();
    List<String> orderBy = pipeline.target().orderBy();
    int[] orderIdx = orderBy.stream().mapToInt(schema::indexOf).toArray();
    record Seen(String window, SourceRecord record) {}
    Map<List<Object>, Seen> seen = new HashMap<>();
    for (Window w : input.windows()) {
      for (SourceRecord r : input.read(w.id())) {
        if (r.isBad()) {
          continue; // a dead letter has no key
        }
        Object[] v = r.values();
        Object[] k = new Object[keyIdx.length + orderIdx.length];
        for (int i = 0; i < keyIdx.length; i++) {
          k[i] = v[keyIdx[i]];
        }
        for (int i = 0; i < orderIdx.length; i++) {
          k[keyIdx.length + i] = v[orderIdx[i]];
        }
        Seen before = seen.putIfAbsent(Arrays.asList(k), new Seen(w.id(), r));
        if (before != null && !Arrays.equals(before.record().values(), v)) {
          StringBuilder keyText = new StringBuilder();
          for (int i = 0; i < keyIdx.length; i++) {
            keyText
                .append(i == 0 ? "" : ", ")
                .append(schema.column(keyIdx[i]).name())
                .append('=')
                .append(k[i]);
          }
          String where =
              before.record().position()
                  + " (window "
                  + before.window()
                  + ") and "
                  + r.position()
                  + " (window "
                  + w.id()
                  + ")";
          if (orderBy.isEmpty() && !before.window().equals(w.id())) {
            return Optional.of(
                "key ("
                    + String.join(", ", key.fields())
                    + ") has versions in two windows and no order_by says which is newer: "
                    + keyText
                    + " in "
                    + where
                    + "; whichever window runs last wins");
          }
          return Optional.of(
              "key ("
                  + String.join(", ", key.fields())
                  + ") is not unique: "
                  + keyText
                  + " has different records "
                  + where
                  + (orderBy.isEmpty() ? "" : " with the same " + String.join(", ", orderBy))
                  + "; idem keeps one of them by a tie-break and drops the other");
        }
      }
    }
    return Optional.empty();
  }
}
