package dev.idem.source.parquet;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import dev.idem.source.file.FileSection;
import dev.idem.source.file.ScanCache;
import java.util.List;
import java.util.Map;

/**
 * {@code type: parquet}: Parquet files matched by {@code path} (a file or a glob). It lives in the
 * Iceberg plugin ({@code plugins/iceberg/}), whose class path already holds Parquet's reader and
 * the shaded Hadoop client it needs, so neither joins the runnable jar; without the plugin, {@code
 * type: parquet} is an unknown source type.
 */
public final class ParquetSourceFactory implements SourceFactory {
  private static final List<String> KEYS = List.of("type", "path");

  @Override
  public String type() {
    return "parquet";
  }

  @Override
  public Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type()),
            "path",
            ConfigSchema.string(
                "a Parquet file or glob, relative to the pipeline file (data/*.parquet)")),
        List.of("type", "path"),
        null);
  }

  @Override
  public Source bind(ConfigNode.Mapping node, Schema columns, ConnectorContext context) {
    for (String textOnly : List.of("delimiter", "quote", "header", "null", "encoding")) {
      ConfigNode.Entry e = node.entry(textOnly);
      if (e != null) {
        throw new ConfigProblem(
            e.where(),
            "source."
                + textOnly
                + ": a Parquet file types and encodes its own values, so a parquet source has no '"
                + textOnly
                + "'");
      }
    }
    Section s = Section.of("source", node);
    s.checkKeys(KEYS);
    s.requiredScalar("type");
    var files = FileSection.files(s, context);
    return Section.bind(
        node,
        "source",
        () -> new ParquetSource(files, columns, ScanCache.fromEnvironment(context.env())));
  }
}
