package dev.idem.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.idem.DataException;
import dev.idem.key.KeyEncoding;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A staged row as a Kafka message, rendered the same way on every run so that a message's bytes
 * depend on the row alone. The value is a JSON object of the staged columns in declared order:
 * strings as JSON strings, integers and decimals as JSON numbers (a decimal keeps its scale, {@code
 * 12.50}), booleans as JSON booleans, dates and timestamps as their canonical ISO text ({@link
 * KeyEncoding#text}), json columns embedded as JSON, NULL as {@code null}. The key is the
 * pipeline's key: one key column gives its canonical text ({@code 42}, {@code ada}); several give a
 * JSON array of their canonical texts ({@code ["42","ada"]}); a hash key gives the hex SHA-256 of
 * column {@code _idem_key}. A pipeline without a key gives messages without a key. A NULL in a key
 * column fails the window: a key must identify a record.
 */
final class RowMessages {
  private static final JsonFactory JSON = new JsonFactory();

  private final String window;
  private final Schema columns;
  private final int[] key;
  private final List<String> keyNames;

  RowMessages(Pipeline pipeline, String window) {
    this.window = window;
    this.columns = pipeline.stagedColumns();
    KeySpec spec = pipeline.target().key();
    if (spec == null) {
      key = null;
      keyNames = List.of();
    } else {
      keyNames = spec.targetColumns();
      key = new int[keyNames.size()];
      for (int i = 0; i < key.length; i++) {
        key[i] = columns.require(keyNames.get(i), "key column");
      }
    }
  }

  /** The message key, or null for a pipeline without a key. */
  byte[] key(Object[] row) {
    if (key == null) {
      return null;
    }
    for (int k : key) {
      if (row[k] == null) {
        throw new DataException(
            "window "
                + window
                + ": a row has a NULL in key "
                + keyNames
                + "; a key must identify a record");
      }
    }
    if (key.length == 1) {
      return KeyEncoding.text(row[key[0]]).getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (int k : key) {
        g.writeString(KeyEncoding.text(row[k]));
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return out.toByteArray();
  }

  /** The message value: a JSON object of the row's columns. */
  byte[] value(Object[] row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * columns.size());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (int i = 0; i < columns.size(); i++) {
        g.writeFieldName(columns.column(i).name());
        write(g, columns.column(i).type(), columns.column(i).name(), row[i]);
      }
      g.writeEndObject();
    } catch (JsonProcessingException e) {
      throw new DataException("window " + window + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return out.toByteArray();
  }

  private void write(JsonGenerator g, DataType type, String column, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
      return;
    }
    switch (type.kind()) {
      case STRING -> g.writeString(v.toString());
      case INTEGER -> g.writeNumber(((Number) v).longValue());
      case DECIMAL -> g.writeNumber(((BigDecimal) v).toPlainString());
      case BOOLEAN -> g.writeBoolean((Boolean) v);
      case DATE, TIMESTAMP, TIMESTAMPTZ -> g.writeString(KeyEncoding.text(v));
      case JSON -> {
        String text = v.toString();
        requireJson(column, text);
        g.writeRawValue(text);
      }
    }
  }

  /** A json column's text is embedded as is, so it must be one well-formed JSON value. */
  private void requireJson(String column, String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() == null) {
        throw new DataException(
            "window " + window + ": json column '" + column + "' holds no JSON value");
      }
      p.skipChildren();
      JsonToken after = p.nextToken();
      if (after != null) {
        throw new DataException(
            "window " + window + ": json column '" + column + "' holds more than one JSON value");
      }
    } catch (JsonProcessingException e) {
      throw new DataException(
          "window "
              + window
              + ": json column '"
              + column
              + "' is not valid JSON: "
              + e.getOriginalMessage().replace('\n', ' '),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
