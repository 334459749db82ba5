package dev.idem.connector;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one redaction routine. Statically, {@link #maskUrl} hides the credentials in any text that
 * may quote a URL (the user-info's password and {@code password=}, {@code pwd=}, {@code secret=},
 * {@code token=} parameters) and {@link #describeUrl} also hides the login name ({@code user=}) of
 * a URL shown as a destination. An instance learns every value substituted from {@code ${env:...}},
 * every password-like property and every URL's credentials, and {@link #redact}s them from text
 * about to be printed: the second line of defence for messages that come from elsewhere (a driver
 * quoting its URL, for instance).
 */
public final class Secrets {
  /** What a secret is replaced by. */
  public static final String MASK = "***";

  /** Shorter values are not learned: replacing every "1" in a message would garble it. */
  private static final int MIN_LENGTH = 3;

  private static final String SECRET_NAMES = "password|pwd|secret|token";
  private static final Pattern SECRET_NAME = Pattern.compile("(?i)" + SECRET_NAMES);
  private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s]*@");
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("//[^/@\\s:]*:([^/@\\s]+)@");
  private static final Pattern SECRET_PARAM =
      Pattern.compile("(?i)((?:" + SECRET_NAMES + ")=)([^&;\\s]*)");
  private static final Pattern USER_PARAM =
      Pattern.compile("(?i)((?:" + SECRET_NAMES + "|user)=)([^&;\\s]*)");

  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  /** Learns a value to mask (values shorter than 3 characters are not). */
  public void add(String secret) {
    if (secret != null && secret.length() >= MIN_LENGTH) {
      secrets.add(secret);
    }
  }

  /** Learns a property's value when its name says it is a secret (password, pwd, secret, token). */
  public void addProperty(String name, String value) {
    if (isSecretName(name)) {
      add(value);
    }
  }

  /** Learns the password in a URL's user-info and the values of its password-like parameters. */
  public void addUrl(String url) {
    Matcher userInfo = USER_INFO_PASSWORD.matcher(url);
    while (userInfo.find()) {
      add(userInfo.group(1));
    }
    Matcher param = SECRET_PARAM.matcher(url);
    while (param.find()) {
      add(param.group(2));
    }
  }

  /** The text with every learned secret replaced by {@value #MASK}; null stays null. */
  public String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    // Longest first, so a secret that contains another is masked whole.
    List<String> ordered =
        secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    for (String s : ordered) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  /**
   * The text with every learned secret replaced by {@value #MASK}, both as it is and as {@code
   * quoting} writes it (a log line's JSON escapes a secret's quotes and backslashes); null stays
   * null.
   */
  public String redact(String text, UnaryOperator<String> quoting) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = redact(text);
    List<String> quoted =
        secrets.stream()
            .map(quoting)
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    for (String s : quoted) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  /** True for a property or parameter name that holds a secret. */
  public static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).find();
  }

  /** Any text that may quote a URL, with user-info and password-like parameters masked. */
  public static String maskUrl(String text) {
    String masked = USER_INFO.matcher(text).replaceAll("//" + MASK + "@");
    return SECRET_PARAM.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }

  /**
   * A URL as a destination is described: {@link #maskUrl masked}, and its {@code user=} parameter
   * too.
   */
  public static String describeUrl(String url) {
    String masked = USER_INFO.matcher(url).replaceAll("//" + MASK + "@");
    return USER_PARAM.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }
}
