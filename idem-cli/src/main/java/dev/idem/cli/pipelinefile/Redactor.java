package dev.idem.cli.pipelinefile;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Remembers every value substituted from {@code ${env:...}} and masks it in any text about to be
 * printed. Binding already avoids echoing such values; this is the second line of defence for
 * messages that come from elsewhere (a JDBC driver quoting its URL, for instance).
 */
public final class Redactor {
  /** Shorter values are not masked: replacing every "1" in a message would garble it. */
  private static final int MIN_LENGTH = 3;
  static final String MASK = "***";

  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  void add(String secret) {
    if (secret != null && secret.length() >= MIN_LENGTH) {
      secrets.add(secret);
    }
  }

  /** The text with every known secret replaced by {@value #MASK}; null stays null. */
  public String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    // Longest first, so a secret that contains another is masked whole.
    List<String> ordered = secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    for (String s : ordered) {
      out = out.replace(s, MASK);
    }
    return out;
  }
}
