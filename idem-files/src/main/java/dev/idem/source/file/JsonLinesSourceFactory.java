package dev.idem.source.file;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code type: jsonl}: JSON lines files matched by {@code path}, in {@code encoding} (default
 * UTF-8).
 */
public final class JsonLinesSourceFactory implements SourceFactory {
  @Override
  public String type() {
    return "jsonl";
  }

  @Override
  public Map<String, Object> schema() {
    return FileSection.schema(type());
  }

  @Override
  public Source bind(ConfigNode.Mapping node, Schema columns, ConnectorContext context) {
    Section s = FileSection.of(node);
    FileSet files = FileSection.files(s, context);
    Charset encoding = FileSection.encoding(s);
    for (String csvOnly : List.of("delimiter", "quote", "header", "null")) {
      ConfigNode.Entry e = node.entry(csvOnly);
      if (e != null) {
        throw new ConfigProblem(
            e.where(),
            "source."
                + csvOnly
                + ": only csv sources have '"
                + csvOnly
                + "', this source is jsonl");
      }
    }
    return Section.bind(
        node,
        "source",
        () ->
            new JsonLinesSource(
                files,
                columns,
                encoding == null ? StandardCharsets.UTF_8 : encoding,
                ScanCache.fromEnvironment(context.env())));
  }
}
