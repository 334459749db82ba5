package dev.idem.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One JSON object mapped to a declared schema, for JSON lines files and for message values (a Kafka
 * record). Fields are found by name; a missing field and a JSON {@code null} are null; fields that
 * are not declared are ignored; a field given twice is an error. Nested objects and arrays are
 * accepted only for {@code json} columns, which receive the value as compact JSON text (numbers
 * keep their text exactly). The values are returned as JSON gave them (String, Number, Boolean, or
 * JSON text): {@link ValueParser#convert} types them.
 *
 * <p>It has a module of its own so that the file source and the Kafka source share one reading
 * without either depending on the other, and core stays free of Jackson.
 */
public final class JsonObjects {
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(StreamReadConstraints.defaults())
          .build();

  private JsonObjects() {}

  /** A streaming parser over {@code text} that rejects a field given twice in one object. */
  public static JsonParser parser(String text) throws IOException {
    return JSON.createParser(text);
  }

  /**
   * The schema's columns from one JSON object. Anything else (malformed JSON, an array, two
   * objects, a nested value in a scalar column) is a {@link DataException} naming {@code position}.
   */
  public static Object[] parse(String text, Schema schema, String position) {
    Object[] raw = new Object[schema.size()];
    try (JsonParser p = parser(text)) {
      parse(p, schema, raw, position);
    } catch (JsonProcessingException e) {
      throw new DataException(
          position + ": malformed JSON: " + e.getOriginalMessage().replace('\n', ' '), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String has no I/O to fail
    }
    return raw;
  }

  private static void parse(JsonParser p, Schema schema, Object[] raw, String position)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new DataException(
          position + ": expected one JSON object, found " + describe(p.currentToken()));
    }
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      int i = schema.indexOf(name);
      if (i < 0) {
        p.skipChildren();
        continue;
      }
      Column c = schema.column(i);
      if (value == JsonToken.VALUE_NULL) {
        raw[i] = null;
      } else if (c.type().kind() == DataType.Kind.JSON) {
        raw[i] = compact(p);
      } else {
        raw[i] = scalar(value, p);
        if (raw[i] == null) {
          throw new DataException(nested(position, name, value, c));
        }
      }
    }
    if (p.nextToken() != null) {
      throw new DataException(position + ": expected one JSON object, found more after it");
    }
  }

  /**
   * The current scalar value as JSON gave it (String, Number, Boolean); null for an object or an
   * array.
   */
  public static Object scalar(JsonToken value, JsonParser p) throws IOException {
    return switch (value) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> null;
    };
  }

  /** Why a nested value cannot go in a scalar column. */
  public static String nested(String position, String name, JsonToken value, Column c) {
    return position
        + ": column "
        + name
        + ": found a nested "
        + (value == JsonToken.START_ARRAY ? "array" : "object")
        + ", but nested values are accepted only in json columns (this one is "
        + c.type()
        + ")";
  }

  /** The current value (scalar, object or array) as compact JSON text, numbers as written. */
  public static String compact(JsonParser p) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      copy(p, g);
    }
    return out.toString();
  }

  private static void copy(JsonParser p, JsonGenerator g) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          g.writeFieldName(p.currentName());
          p.nextToken();
          copy(p, g);
        }
        g.writeEndObject();
      }
      case START_ARRAY -> {
        g.writeStartArray();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          copy(p, g);
        }
        g.writeEndArray();
      }
      case VALUE_STRING -> g.writeString(p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
      case VALUE_TRUE -> g.writeBoolean(true);
      case VALUE_FALSE -> g.writeBoolean(false);
      case VALUE_NULL -> g.writeNull();
      default -> throw new IllegalStateException("unexpected JSON token " + p.currentToken());
    }
  }

  /** How an error message names a token: "an array", "a string", "nothing" at the end of input. */
  public static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }
}
