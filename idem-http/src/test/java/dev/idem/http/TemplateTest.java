package dev.idem.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.connector.Location;
import dev.idem.key.KeyEncoding;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a row's values are put in a request's URL, and what a request's payload hash covers. */
class TemplateTest {
  private static final Location WHERE = Location.of("pipeline.yaml");

  private static String url(String template, Map<String, Object> values) {
    return new Template("destination.request.url", WHERE, template).renderUrl(values::get);
  }

  @Test
  void aValueInThePathQueryOrFragmentIsOneComponent() {
    Map<String, Object> v = Map.of("id", "a/b c?d#e&f=g", "n", 5L, "u", "ü");
    assertThat(url("https://api.example.com/users/{{id}}?n={{n}}#{{u}}", v))
        .isEqualTo("https://api.example.com/users/a%2Fb%20c%3Fd%23e%26f%3Dg?n=5#%C3%BC");
    assertThat(url("https://api.example.com?q={{id}}", v))
        .isEqualTo("https://api.example.com?q=a%2Fb%20c%3Fd%23e%26f%3Dg");
  }

  @Test
  void aValueBeforeThePathOrWrittenWithAPlusIsPutAsItIs() {
    Map<String, Object> v =
        Map.of(
            "base", "https://api.example.com/v1",
            "host", "eu.example.com",
            "query", "a=1&b=2",
            "id", "x y");
    assertThat(url("{{base}}/users/{{id}}", v)).isEqualTo("https://api.example.com/v1/users/x%20y");
    assertThat(url("https://{{host}}/users/{{id}}", v))
        .isEqualTo("https://eu.example.com/users/x%20y");
    assertThat(url("https://api.example.com/search?{{+query}}", v))
        .isEqualTo("https://api.example.com/search?a=1&b=2");
    assertThat(new Template("url", WHERE, "https://x/{{+query}}").fields())
        .containsExactly("query");
  }

  @Test
  void aRequestsPayloadHashTakesItsUrlBeforeEncodingAsItWasHashedBefore() {
    RequestSpec spec =
        new RequestSpec(
            "POST", new Template("url", WHERE, "https://x.example/u/{{id}}"), Map.of(), null);
    RequestSpec.Rendered r = spec.render(Map.<String, Object>of("id", "a@b c")::get);
    assertThat(r.url()).isEqualTo("https://x.example/u/a%40b%20c");
    assertThat(r.payloadHash())
        .isEqualTo(KeyEncoding.sha256Hex("POST", "https://x.example/u/a@b c", null));
  }
}
