package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The URL of the scratch database {@code idem verify} creates beside a PostgreSQL destination: the
 * destination's URL with only its database replaced. A URL without parameters used to end in {@code
 * null} (the absent parameter group was appended).
 */
class ScratchUrlProperties {
  private static final String SCRATCH = "idem_verify_1733000000_5eed";

  @Example
  void withoutParametersNothingIsAppended() {
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://localhost/dw", SCRATCH))
        .isEqualTo("jdbc:postgresql://localhost/" + SCRATCH);
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://db.example.com:6543/dw", SCRATCH))
        .isEqualTo("jdbc:postgresql://db.example.com:6543/" + SCRATCH);
  }

  @Example
  void parametersAreKeptAsWritten() {
    assertThat(
            PostgresAdmin.scratchUrl(
                "jdbc:postgresql://db:5432/dw?user=loader&ssl=true&options=-c%20search_path%3Dx",
                SCRATCH))
        .isEqualTo(
            "jdbc:postgresql://db:5432/"
                + SCRATCH
                + "?user=loader&ssl=true&options=-c%20search_path%3Dx");
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://db/dw?", SCRATCH))
        .isEqualTo("jdbc:postgresql://db/" + SCRATCH + "?");
  }

  @Example
  void ipv6HostsAndSeveralHostsAreKept() {
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://[::1]:5432/dw", SCRATCH))
        .isEqualTo("jdbc:postgresql://[::1]:5432/" + SCRATCH);
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://[2001:db8::7]/dw?user=u", SCRATCH))
        .isEqualTo("jdbc:postgresql://[2001:db8::7]/" + SCRATCH + "?user=u");
    assertThat(
            PostgresAdmin.scratchUrl(
                "jdbc:postgresql://a:5432,b:5433/dw?targetServerType=primary", SCRATCH))
        .isEqualTo("jdbc:postgresql://a:5432,b:5433/" + SCRATCH + "?targetServerType=primary");
  }

  @Example
  void anEmptyDatabaseAndTheShortFormAreReplacedToo() {
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://db/", SCRATCH))
        .isEqualTo("jdbc:postgresql://db/" + SCRATCH);
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql://db/?user=u", SCRATCH))
        .isEqualTo("jdbc:postgresql://db/" + SCRATCH + "?user=u");
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql:dw", SCRATCH))
        .isEqualTo("jdbc:postgresql:" + SCRATCH);
    assertThat(PostgresAdmin.scratchUrl("jdbc:postgresql:dw?user=u", SCRATCH))
        .isEqualTo("jdbc:postgresql:" + SCRATCH + "?user=u");
  }

  @Example
  void aUrlWithoutAPathIsRefused() {
    for (String url :
        List.of(
            "jdbc:postgresql://db", "jdbc:postgresql://db:5432?user=u", "jdbc:duckdb:x.duckdb")) {
      assertThatThrownBy(() -> PostgresAdmin.scratchUrl(url, SCRATCH))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot tell the database name");
    }
  }

  @Property(tries = 500)
  void onlyTheDatabaseIsReplaced(
      @ForAll("hosts") String hosts,
      @ForAll("databases") String database,
      @ForAll("parameters") String parameters) {
    String prefix = "jdbc:postgresql://" + hosts + "/";
    assertThat(PostgresAdmin.scratchUrl(prefix + database + parameters, SCRATCH))
        .isEqualTo(prefix + SCRATCH + parameters);
  }

  @Provide
  Arbitrary<String> hosts() {
    Arbitrary<String> name =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('-', '.')
            .ofMinLength(1)
            .ofMaxLength(20);
    Arbitrary<String> ipv4 =
        Arbitraries.integers()
            .between(0, 255)
            .list()
            .ofSize(4)
            .map(l -> String.join(".", l.stream().map(String::valueOf).toList()));
    Arbitrary<String> ipv6 =
        Arbitraries.integers()
            .between(0, 0xffff)
            .list()
            .ofMinSize(1)
            .ofMaxSize(8)
            .map(
                l ->
                    "["
                        + String.join(":", l.stream().map(Integer::toHexString).toList())
                        + (l.size() < 8 ? "::1" : "")
                        + "]");
    Arbitrary<String> port =
        Arbitraries.oneOf(
            Arbitraries.just(""), Arbitraries.integers().between(1, 65535).map(p -> ":" + p));
    Arbitrary<String> host =
        Combinators.combine(Arbitraries.oneOf(name, ipv4, ipv6), port).as(String::concat);
    return host.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(",", l));
  }

  @Provide
  Arbitrary<String> databases() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('_', '-', '%', '0', '9', '.')
        .ofMinLength(0)
        .ofMaxLength(30);
  }

  @Provide
  Arbitrary<String> parameters() {
    Arbitrary<String> pair =
        Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20))
            .as((k, v) -> k + "=" + v);
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        pair.list().ofMinSize(0).ofMaxSize(4).map(l -> "?" + String.join("&", l)));
  }
}
