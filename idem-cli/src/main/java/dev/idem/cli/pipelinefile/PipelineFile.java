package dev.idem.cli.pipelinefile;

import dev.idem.ConfigException;
import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Connectors;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Location;
import dev.idem.connector.Secrets;
import dev.idem.connector.Section;
import dev.idem.connector.SourceFactory;
import dev.idem.notify.Notifier;
import dev.idem.notify.NotifierFactory;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.TransformParameters;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * Binds a YAML pipeline file (format: docs/pipeline-file.md) to the core model. Everything is
 * checked here, once: a problem is a {@link PipelineFileException} whose one-line message names the
 * file, the line and what was expected, including problems found by the core builders (by the field
 * they name) and by the connectors. The {@code source:} and {@code destination:} sections belong to
 * the connector factories found on the class path ({@link Connectors}); this class binds the
 * connector-neutral rest.
 */
public final class PipelineFile {
  private final Path dir;
  private final Function<String, String> env;
  private final Secrets secrets;
  private final Connectors connectors;

  private PipelineFile(
      Path dir, Function<String, String> env, Secrets secrets, Connectors connectors) {
    this.dir = dir;
    this.env = env;
    this.secrets = secrets;
    this.connectors = connectors;
  }

  /**
   * {@link #load(Path, List, Function, Secrets, Connectors)} with the connectors on this class's
   * class path.
   */
  public static PipelineDefinition load(
      Path file, List<String> sets, Function<String, String> env, Secrets secrets) {
    return load(file, sets, env, secrets, Connectors.discover(PipelineFile.class.getClassLoader()));
  }

  /**
   * Reads, overrides and binds a pipeline file.
   *
   * @param sets {@code path=value} overrides, applied in order before binding
   * @param env looks up {@code ${env:NAME}}; null means unset
   * @param secrets learns every substituted value and every secret a connector finds, so it can be
   *     masked in output
   * @param connectors the source and destination factories that bind their sections
   */
  public static PipelineDefinition load(
      Path file,
      List<String> sets,
      Function<String, String> env,
      Secrets secrets,
      Connectors connectors) {
    String name = file.toString();
    YamlReader reader = new YamlReader(env, secrets);
    try {
      ConfigNode.Mapping root = Overrides.apply(reader.readFile(file, name), sets, reader);
      Path dir = file.toAbsolutePath().normalize().getParent();
      return new PipelineFile(dir, env, secrets, connectors).bind(file, root);
    } catch (PipelineFileException e) {
      throw e;
    } catch (ConfigProblem e) {
      throw new PipelineFileException(e);
    }
  }

  private PipelineDefinition bind(Path file, ConfigNode.Mapping root) {
    Section top = ModelSections.checked("", root);
    ConfigNode.Scalar nameNode = top.requiredScalar("pipeline");
    String pipelineName = nameNode.value();
    Pipeline.Builder b = Section.bind(nameNode, "pipeline", () -> Pipeline.builder(pipelineName));
    ConnectorContext context = new ConnectorContext(dir, pipelineName, env, secrets);
    ConfigNode.Scalar version = top.optionalScalar("version");
    if (version != null) {
      b.version(version.value());
    }
    Schema input = ModelSections.columns(top.required("columns"), "columns");
    ConfigNode.Mapping sourceNode = Section.mapping(top.required("source"), "source");
    SourceFactory sourceFactory = sourceFactory(sourceNode);
    Source source = sourceFactory.bind(sourceNode, input, context);
    b.source(source);
    if (top.has("windows")) {
      ConfigNode.Mapping w = Section.mapping(top.get("windows"), "windows");
      WindowSpec spec = ModelSections.windows(w);
      if (sourceFactory.stream() != (spec.kind() == WindowKind.OFFSETS)) {
        throw new PipelineFileException(
            w.get("kind").where(),
            sourceFactory.stream()
                ? "windows.kind: a "
                    + sourceFactory.type()
                    + " source has offsets windows (or leave windows out)"
                : "windows.kind: offsets windows are for "
                    + Section.oneOf(streamTypes())
                    + " sources");
      }
      b.windows(spec);
    } else {
      b.windows(sourceFactory.defaultWindows());
    }
    boolean hasTransform = top.has("transform");
    if (hasTransform) {
      Section t = ModelSections.checked("transform", top.get("transform"));
      ConfigNode.Scalar sql = t.requiredScalar("sql");
      TransformParameters.Use unknown = TransformParameters.firstUnknown(sql.value());
      if (unknown != null) {
        // a block scalar's text starts on the line after its key
        int line = sql.where().line() + (sql.value().contains("\n") ? unknown.line() : 0);
        throw new PipelineFileException(
            new Location(sql.where().file(), line, 0), TransformParameters.unknownMessage(unknown));
      }
      b.transform(sql.value());
    }
    Section target = Section.of("target", top.required("target"));
    ModelSections.target(target, b, input, hasTransform);
    b.badRecords(
        ModelSections.badRecords(top, ModelSections.columnPolicies(top.required("columns"))));
    DriftPolicy drift = ModelSections.drift(top);
    if (drift != null) {
      b.schemaDrift(drift);
    }
    Pipeline pipeline;
    try {
      pipeline = b.build();
    } catch (ConfigException e) {
      throw coreError(e, root, target.node());
    }
    DestinationBinding destination = destination(root.get("destination"), context);
    LineageSettings lineage =
        top.has("lineage") ? LineageSettings.bind(top.get("lineage"), dir) : null;
    Notifier notifier = top.has("notify") ? notifier(top.get("notify"), context) : null;
    return new PipelineDefinition(file, pipeline, destination, lineage, notifier);
  }

  /** The {@code notify:} hooks, bound by the first notifier factory on the class path. */
  private static Notifier notifier(ConfigNode node, ConnectorContext context) {
    NotifierFactory factory =
        ServiceLoader.load(NotifierFactory.class, PipelineFile.class.getClassLoader())
            .findFirst()
            .orElseThrow(
                () ->
                    new PipelineFileException(
                        node.where(), "notify: no notifier on the class path (module idem-http)"));
    return factory.bind(node, context);
  }

  /** The factory of the section's {@code type:}. */
  private SourceFactory sourceFactory(ConfigNode.Mapping node) {
    ConfigNode.Scalar typeNode = Section.of("source", node).requiredScalar("type");
    String type = typeNode.value().strip().toLowerCase(Locale.ROOT);
    return connectors
        .source(type)
        .orElseThrow(
            () ->
                new PipelineFileException(
                    typeNode.where(),
                    "source.type: unknown source type '"
                        + typeNode.display()
                        + "': expected "
                        + Section.oneOf(connectors.sourceTypes())));
  }

  private List<String> streamTypes() {
    return connectors.sources().stream()
        .filter(SourceFactory::stream)
        .map(SourceFactory::type)
        .distinct()
        .toList();
  }

  /**
   * The destination factory of the section's {@code type:} (or of a section without one) that
   * accepts it; without a section, the first factory's default destination.
   */
  private DestinationBinding destination(ConfigNode node, ConnectorContext context) {
    if (node == null || node.isNull()) {
      return connectors.destinations().stream()
          .map(f -> f.bindDefault(context))
          .flatMap(Optional::stream)
          .findFirst()
          .orElseThrow(
              () ->
                  new ConfigException(
                      "pipeline "
                          + context.pipelineName()
                          + " names no destination, and no connector"
                          + " on the class path provides a default one: add a destination section"));
    }
    ConfigNode.Mapping m = Section.mapping(node, "destination");
    Section s = Section.of("destination", m);
    ConfigNode.Scalar typeNode = s.optionalScalar("type");
    String type = typeNode == null ? null : typeNode.value().strip().toLowerCase(Locale.ROOT);
    List<DestinationFactory> candidates = connectors.destinations(type);
    if (candidates.isEmpty()) {
      if (typeNode == null) {
        throw new PipelineFileException(m.where(), "destination: missing required key 'type'");
      }
      throw new PipelineFileException(
          typeNode.where(),
          "destination.type: unknown destination type '"
              + typeNode.display()
              + "': expected "
              + destinationTypes());
    }
    DestinationFactory factory =
        candidates.stream().filter(f -> f.accepts(m)).findFirst().orElse(candidates.get(0));
    return factory.bind(m, context);
  }

  /** "jdbc (the default) or kafka". */
  private String destinationTypes() {
    List<String> types = new ArrayList<>();
    for (String type :
        connectors.destinations().stream().map(DestinationFactory::type).distinct().toList()) {
      boolean isDefault =
          connectors.destinations(null).stream().anyMatch(f -> f.type().equals(type));
      types.add(isDefault ? type + " (the default)" : type);
    }
    return Section.oneOf(types);
  }

  /**
   * Pipeline.build() checks the whole definition; its error names the field it is about ({@code
   * target.order_by}), and the message points at the line that set it. An error about no field, or
   * about a section the file does not have, points at the target.
   */
  private static PipelineFileException coreError(
      ConfigException e, ConfigNode.Mapping root, ConfigNode.Mapping target) {
    if (e.field().isPresent()) {
      String field = e.field().get();
      String[] parts = field.split("\\.", -1);
      ConfigNode.Mapping section = root;
      for (int i = 0; i < parts.length - 1 && section != null; i++) {
        section = section.get(parts[i]) instanceof ConfigNode.Mapping m ? m : null;
      }
      if (section != null) {
        ConfigNode.Entry entry = section.entry(parts[parts.length - 1]);
        Location where = entry != null ? entry.where() : section.where();
        return new PipelineFileException(where, field + ": " + e.getMessage(), e);
      }
    }
    return new PipelineFileException(target.where(), e.getMessage(), e);
  }
}
