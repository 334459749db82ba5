package dev.idem.cli;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The JSON Schemas published in docs/schemas, validating documents with networknt's validator. */
final class SchemaValidation {
  static final Path SCHEMAS = Path.of("..", "docs", "schemas").toAbsolutePath().normalize();

  private final Schema schema;

  private SchemaValidation(String schemaText) {
    this.schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(schemaText, InputFormat.JSON);
  }

  /** The published schema {@code docs/schemas/NAME}. */
  static SchemaValidation published(String name) {
    try {
      return new SchemaValidation(Files.readString(SCHEMAS.resolve(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A schema given as text. */
  static SchemaValidation of(String schemaText) {
    return new SchemaValidation(schemaText);
  }

  /** The problems of a JSON document, as messages; empty when it is valid. */
  List<String> json(String document) {
    return messages(schema.validate(document, InputFormat.JSON));
  }

  /** The problems of a YAML document, as messages; empty when it is valid. */
  List<String> yaml(String document) {
    return messages(schema.validate(document, InputFormat.YAML));
  }

  private static List<String> messages(List<Error> errors) {
    return errors.stream().map(Error::toString).toList();
  }
}
