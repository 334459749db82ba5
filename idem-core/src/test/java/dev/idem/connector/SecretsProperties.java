package dev.idem.connector;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Secrets}: a credential never survives masking, in any of the forms a URL carries one
 * (user-info, a password-like parameter in any letter case, after {@code ?}, {@code &} or {@code
 * ;}, alone or among others, in a URL alone or quoted in a driver's message), and a URL's
 * credentials, once learned, are masked wherever they appear.
 */
class SecretsProperties {
  /**
   * A credential: URL-safe characters, with a prefix no fixed part of the generated URLs contains.
   */
  @Provide
  Arbitrary<String> secret() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars('-', '.', '_', '~', '%', '!')
        .ofMinLength(0)
        .ofMaxLength(16)
        .map(s -> "S3cr" + s);
  }

  /** The name of a password-like parameter, in any letter case. */
  @Provide
  Arbitrary<String> secretName() {
    return Arbitraries.of("password", "pwd", "secret", "token")
        .flatMap(
            n ->
                Arbitraries.integers()
                    .between(0, (1 << n.length()) - 1)
                    .map(
                        mask -> {
                          StringBuilder b = new StringBuilder();
                          for (int i = 0; i < n.length(); i++) {
                            char c = n.charAt(i);
                            b.append((mask & (1 << i)) != 0 ? Character.toUpperCase(c) : c);
                          }
                          return b.toString();
                        }));
  }

  /** A URL that carries {@code secret} in one of the ways URLs do. */
  private static Arbitrary<String> urlWith(String secret, String name) {
    return Arbitraries.of(
        "jdbc:postgresql://loader:" + secret + "@db.example:5432/dw",
        "jdbc:postgresql://loader:" + secret + "@db.example/dw?ssl=true",
        "jdbc:postgresql://db.example/dw?" + name + "=" + secret,
        "jdbc:postgresql://db.example/dw?user=loader&" + name + "=" + secret + "&ssl=true",
        "jdbc:sqlserver://db.example:1433;databaseName=dw;" + name + "=" + secret + ";encrypt=true",
        "jdbc:mysql://loader:" + secret + "@db.example/dw?" + name + "=" + secret,
        "kafka://broker.example:9092?" + name + "=" + secret);
  }

  @Provide
  Arbitrary<String[]> secretAndUrl() {
    return Combinators.combine(secret(), secretName())
        .as((s, n) -> new String[] {s, n})
        .flatMap(sn -> urlWith(sn[0], sn[1]).map(url -> new String[] {sn[0], url}));
  }

  @Property
  void aMaskedUrlHoldsNoSecret(@ForAll("secretAndUrl") String[] secretAndUrl) {
    String secret = secretAndUrl[0];
    String url = secretAndUrl[1];
    assertThat(Secrets.maskUrl(url)).doesNotContain(secret).contains(Secrets.MASK);
    assertThat(Secrets.describeUrl(url)).doesNotContain(secret).contains(Secrets.MASK);
    // quoted in a driver's message, followed by more text
    assertThat(Secrets.maskUrl("cannot connect to " + url + " (connection refused)"))
        .doesNotContain(secret);
  }

  @Property
  void aLearnedUrlsSecretIsMaskedAnywhere(@ForAll("secretAndUrl") String[] secretAndUrl) {
    String secret = secretAndUrl[0];
    Secrets secrets = new Secrets();
    secrets.addUrl(secretAndUrl[1]);
    assertThat(
            secrets.redact(
                "FATAL: password authentication failed, got '" + secret + "' for user loader"))
        .doesNotContain(secret);
  }

  @Property
  void aDescribedUrlHidesTheUser(@ForAll("secret") String user) {
    assertThat(Secrets.describeUrl("jdbc:postgresql://db.example/dw?user=" + user + "&ssl=true"))
        .isEqualTo("jdbc:postgresql://db.example/dw?user=***&ssl=true");
  }

  @Property
  void aPasswordLikePropertyIsLearnedAndOthersAreNot(
      @ForAll("secretName") String name, @ForAll("secret") String value) {
    Secrets secrets = new Secrets();
    secrets.addProperty(name, value);
    secrets.addProperty("sslmode", "verify-full");
    assertThat(secrets.redact("x " + value + " y verify-full")).isEqualTo("x *** y verify-full");
  }

  @Example
  void theWordingsMessagesRelyOn() {
    String url = "jdbc:postgresql://bob:pw@db/dw?user=bob&password=pw&ssl=true";
    assertThat(Secrets.describeUrl(url))
        .isEqualTo("jdbc:postgresql://***@db/dw?user=***&password=***&ssl=true");
    // a login name is no secret: a connection error names it
    assertThat(Secrets.maskUrl(url))
        .isEqualTo("jdbc:postgresql://***@db/dw?user=bob&password=***&ssl=true");
    assertThat(Secrets.maskUrl("jdbc:nosuchdb://alice:hunter22@db/x?password=hunter22"))
        .isEqualTo("jdbc:nosuchdb://***@db/x?password=***");
  }

  @Example
  void shortValuesAreNotLearnedAndTheLongestIsMaskedWhole() {
    Secrets secrets = new Secrets();
    secrets.add("ab");
    secrets.add("hunter2");
    secrets.add("hunter2-long");
    assertThat(secrets.redact("ab hunter2-long hunter2")).isEqualTo("ab *** ***");
    assertThat(secrets.redact(null)).isNull();
  }
}
