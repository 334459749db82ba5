package dev.idem.source.file;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;

/**
 * {@code type: csv}: files matched by {@code path}, with {@code delimiter}, {@code quote}, {@code
 * header}, {@code null} and {@code encoding} (defaults: {@link CsvFormat#DEFAULT}).
 */
public final class CsvSourceFactory implements SourceFactory {
  @Override
  public String type() {
    return "csv";
  }

  @Override
  public Map<String, Object> schema() {
    return FileSection.schema(
        type(),
        "delimiter",
        ConfigSchema.string("one character (default ,); \\t or tab for a tab"),
        "quote",
        ConfigSchema.string("one character (default \")"),
        "header",
        ConfigSchema.bool("whether the first line names the columns (default true)"),
        "null",
        node("type", List.of("string", "null"), "description", "the text that means NULL"));
  }

  private static Map<String, Object> node(Object... keyThenValue) {
    return ConfigSchema.properties(keyThenValue);
  }

  @Override
  public Source bind(ConfigNode.Mapping node, Schema columns, ConnectorContext context) {
    Section s = FileSection.of(node);
    FileSet files = FileSection.files(s, context);
    Charset encoding = FileSection.encoding(s);
    CsvFormat d = CsvFormat.DEFAULT;
    char delimiter = s.character("delimiter", d.delimiter());
    char quote = s.character("quote", d.quote());
    boolean header = s.bool("header", d.header());
    // `null: NULL` must mean the text NULL, though YAML reads a plain NULL as no value.
    ConfigNode nullNode = node.get("null");
    String nullMarker = d.nullMarker();
    if (nullNode != null) {
      ConfigNode.Scalar n = Section.scalar(nullNode, "source.null");
      nullMarker = n.isNull() && (n.value().isEmpty() || n.value().equals("~")) ? "" : n.value();
    }
    String marker = nullMarker;
    CsvFormat format =
        Section.bind(
            node,
            "source",
            () ->
                new CsvFormat(
                    delimiter, quote, header, marker, encoding == null ? d.encoding() : encoding));
    return Section.bind(
        node,
        "source",
        () -> new CsvSource(files, columns, format, ScanCache.fromEnvironment(context.env())));
  }
}
