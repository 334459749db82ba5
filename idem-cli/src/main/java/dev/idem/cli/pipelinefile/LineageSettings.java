package dev.idem.cli.pipelinefile;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.Section;
import java.net.URI;
import java.nio.file.Path;

/**
 * The {@code lineage:} section: where OpenLineage run events go, an HTTP endpoint ({@code url},
 * with an optional {@code api_key}, usually {@code ${env:...}}) or a file of JSON lines ({@code
 * file}, relative to the pipeline file); {@code namespace} is the job's namespace (default {@code
 * idem}). Exactly one of url and file.
 */
public record LineageSettings(URI url, String apiKey, Path file, String namespace) {
  static final String DEFAULT_NAMESPACE = "idem";

  static LineageSettings bind(ConfigNode node, Path dir) {
    Section s = ModelSections.checked("lineage", node);
    ConfigNode.Scalar url = s.optionalScalar("url");
    ConfigNode.Scalar file = s.optionalScalar("file");
    if ((url == null) == (file == null)) {
      throw s.problem(
          url == null ? "file" : "url",
          "lineage: expected one of url (an HTTP endpoint) and file (JSON lines), not "
              + (url == null ? "neither" : "both"));
    }
    ConfigNode.Scalar apiKey = s.optionalScalar("api_key");
    ConfigNode.Scalar namespace = s.optionalScalar("namespace");
    URI uri = null;
    if (url != null) {
      try {
        uri = URI.create(url.value());
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw s.problem("url", "lineage.url: expected an http:// or https:// URL");
      }
    }
    return new LineageSettings(
        uri,
        apiKey == null ? null : apiKey.value(),
        file == null ? null : dir.resolve(file.value()),
        namespace == null ? DEFAULT_NAMESPACE : namespace.value());
  }
}
