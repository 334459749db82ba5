package dev.idem.source.file;

import dev.idem.DataException;
import dev.idem.schema.DataType;

/**
 * A value that is not of its column's type: the record is bad, and the column retyped in the
 * observed schema.
 */
public final class RetypedValue extends DataException {
  private static final long serialVersionUID = 1L;
  final String column;
  final transient DataType type;

  public RetypedValue(DataException cause, String column, DataType type) {
    super(cause.getMessage(), cause);
    this.column = column;
    this.type = type;
  }
}
