package dev.idem.run;

import dev.idem.context.RunContext;
import dev.idem.key.KeyEncoding;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.RowFunction;
import dev.idem.source.SourceRecord;
import java.util.Arrays;

/**
 * What the row loop makes of one record before the write stages it, the same wherever it is done
 * (the runner's loop, an engine's task folding early, {@link EarlyFold}): {@code on_bad_value}
 * judged ({@link BadValues}), the declared values through the row functions, the hash key added.
 */
final class RecordStaging {
  private final Pipeline pipeline;
  private final BadValues badValues;
  private final int declared;
  private final int width;

  /** The hashed fields' places among the declared values; null without a hash key. */
  private final int[] hashFields;

  RecordStaging(Pipeline pipeline) {
    this.pipeline = pipeline;
    this.badValues = new BadValues(pipeline);
    this.declared = pipeline.source().schema().size();
    this.width = pipeline.stagedColumns().size();
    KeySpec key = pipeline.target().key();
    if (key == null || key.kind() != KeySpec.Kind.HASH) {
      this.hashFields = null;
    } else {
      this.hashFields = new int[key.fields().size()];
      for (int i = 0; i < hashFields.length; i++) {
        hashFields[i] = pipeline.source().schema().indexOf(key.fields().get(i));
      }
    }
  }

  /** The record as it loads ({@link BadValues#judge}): bad, or good, its bad values nulled. */
  SourceRecord judge(SourceRecord r) {
    return badValues.judge(r);
  }

  /**
   * The staged row of a good record: its declared values (without the values of columns the input
   * added) through the row functions, then the hash key; null when a row function discards it.
   * Columns {@code evolve} stages are not in it ({@link SchemaWatch#row} adds them).
   */
  Object[] row(SourceRecord good, RunContext context) {
    Object[] values = good.values();
    values = values.length > declared ? Arrays.copyOf(values, declared) : values;
    for (RowFunction f : pipeline.rowFunctions().values()) {
      values = f.apply(values, context);
      if (values == null) {
        return null;
      }
    }
    return hashFields == null ? values : withKeyHash(values);
  }

  private Object[] withKeyHash(Object[] values) {
    Object[] keyValues = new Object[hashFields.length];
    for (int i = 0; i < hashFields.length; i++) {
      keyValues[i] = values[hashFields[i]];
    }
    Object[] row = Arrays.copyOf(values, width);
    row[width - 1] = KeyEncoding.sha256Hex(keyValues);
    return row;
  }
}
