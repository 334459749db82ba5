package dev.idem.kafka;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.json.JsonObjects;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code null_value: delete}: a record with a null value (Kafka's tombstone) deletes its key. Its
 * row holds the key's fields, read from the record key, and the input column {@value #COLUMN} true;
 * every other column is NULL. The pipeline implies {@code delete_flag: _kafka_deleted} and keeps
 * the column out of the target (see {@link dev.idem.source.MakesDeletes}).
 */
final class KafkaDeletes {
  /** The boolean input column: true on a tombstone's row, false on every other record's. */
  static final String COLUMN = "_kafka_deleted";

  private final Schema schema;
  private final List<String> keyFields;
  private final int[] key;

  /** Strict UTF-8, reused for every key of one reader. */
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  KafkaDeletes(Schema schema, List<String> keyFields) {
    this.schema = schema;
    this.keyFields = List.copyOf(keyFields);
    this.key = keyFields.stream().mapToInt(schema::indexOf).toArray();
  }

  /**
   * The declared columns and {@value #COLUMN}, added as a boolean when not declared; a declared one
   * must be boolean.
   */
  static Schema withColumn(Schema declared) {
    int i = declared.indexOf(COLUMN);
    if (i < 0) {
      List<Column> columns = new ArrayList<>(declared.columns());
      columns.add(Column.of(COLUMN, DataType.BOOLEAN));
      return new Schema(columns);
    }
    if (declared.column(i).type().kind() != DataType.Kind.BOOLEAN) {
      throw new ConfigException(
          "column "
              + COLUMN
              + " is "
              + declared.column(i).type()
              + ": it marks deletes, so declare it boolean or leave it out");
    }
    return declared;
  }

  /** The text of a tombstone's key, for its dead letter; empty when it has none. */
  static String keyText(byte[] key) {
    return key == null ? "" : new String(key, StandardCharsets.UTF_8);
  }

  /**
   * A tombstone's values, not yet converted to the columns' types: the key's fields, the rest null.
   * A JSON object key gives its fields by name; any other key is the text of the only key field.
   *
   * @throws DataException naming {@code position} when the key is missing, not UTF-8, malformed, or
   *     lacks a key field
   */
  Object[] values(byte[] recordKey, String position) {
    if (recordKey == null) {
      throw new DataException(position + ": a null value deletes its key, and the record has none");
    }
    String text;
    try {
      text = utf8.decode(ByteBuffer.wrap(recordKey)).toString();
    } catch (CharacterCodingException e) {
      throw new DataException(position + ": the key of a null value is not valid UTF-8");
    }
    Object[] values = new Object[schema.size()];
    if (text.strip().startsWith("{")) {
      Object[] parsed = JsonObjects.parse(text, schema, position);
      for (int k = 0; k < key.length; k++) {
        if (parsed[key[k]] == null) {
          throw new DataException(
              position
                  + ": a null value deletes its key, and key "
                  + text
                  + " has no field '"
                  + keyFields.get(k)
                  + "'");
        }
        values[key[k]] = parsed[key[k]];
      }
    } else if (key.length == 1 && !text.isEmpty()) {
      values[key[0]] = text;
    } else {
      throw new DataException(
          position
              + ": a null value deletes its key, and key '"
              + text
              + "' is not a JSON object with the fields "
              + String.join(", ", keyFields));
    }
    return values;
  }
}
