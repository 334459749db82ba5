package dev.idem.source;

import java.util.List;
import java.util.Optional;

/**
 * A source that can turn some of its records into deletes by itself, as a Kafka source turns a
 * record with a null value (a tombstone) into a delete of the record's key. Such a record carries
 * only the key's input fields and a boolean input column, {@link #deleteColumn()}, set to true; the
 * column is true on no other record. The pipeline then implies the delete rule {@code delete_flag:
 * <column>} and leaves the column out of the target's default columns, so the target needs no
 * helper column.
 */
public interface MakesDeletes {
  /** The boolean input column true on the records this source makes deletes; empty for none. */
  Optional<String> deleteColumn();

  /**
   * This source, making its deletes for a target keyed by these input fields: a delete whose key
   * lacks one of them is a bad record.
   */
  Source keyedBy(List<String> keyFields);
}
