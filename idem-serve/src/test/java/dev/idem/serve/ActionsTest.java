package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-actions}: without it no form and every action a 403; with it, a POST needs the
 * server's token and its own Origin, and a refused one changes nothing.
 */
class ActionsTest {
  private static final Pattern TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static final String WINDOW = "/pipelines/orders/window?id=2024-03-05";
  private static final String RERUN = "/pipelines/orders/actions/rerun";

  @TempDir Path dir;

  static ServeSettings settings(ServeActions actions) {
    return ServeTest.settings(
        ServeSettings.RawInput.SHOW, ServeSettings.GRID_INPUT_TIMEOUT, actions);
  }

  @Test
  void withoutTheFlagThereAreNoFormsAndEveryActionIsRefused() throws Exception {
    Path file = Orders.load(dir);
    try (WebServer s = new WebServer(List.of(Orders.served(file)), settings(null)).start()) {
      Http page = Http.get(s.port(), WINDOW);
      assertThat(page.body()).contains("idem dlq replay").doesNotContain("actions/", "csrf");
      for (String action : List.of(RERUN, "/pipelines/orders/actions/replay")) {
        Http r = Http.post(s.port(), action, null, "csrf=x&window=2024-03-05");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).isEqualTo(ActionRoutes.OFF);
      }
      assertThat(attempts(s)).isEqualTo(2);
    }
  }

  @Test
  void aPostWithoutTheTokenWithAnotherOrWithAnotherOriginChangesNothing() throws Exception {
    Path file = Orders.load(dir);
    RunnerActions actions = new RunnerActions(Orders.url(file));
    String first;
    try (WebServer s = new WebServer(List.of(Orders.served(file)), settings(actions)).start()) {
      String token = token(s);
      first = token;
      String own = "http://127.0.0.1:" + s.port();
      List<Http> refused =
          List.of(
              Http.post(s.port(), RERUN, own, "window=2024-03-05"),
              Http.post(s.port(), RERUN, own, "csrf=" + token + "x&window=2024-03-05"),
              Http.post(s.port(), RERUN, own, "csrf=&window=2024-03-05"),
              Http.post(s.port(), RERUN, "http://attacker.example", form(token)),
              Http.post(s.port(), RERUN, "null", form(token)));
      for (Http r : refused) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).startsWith("refused: ");
      }
      assertThat(actions.carriedOut).hasValue(0);
      assertThat(attempts(s)).isEqualTo(2);
      // a GET on an action does nothing either
      assertThat(Http.get(s.port(), RERUN + "?csrf=" + token + "&window=2024-03-05").status())
          .isNotEqualTo(200);
      assertThat(attempts(s)).isEqualTo(2);

      Http done = Http.post(s.port(), RERUN, own, form(token));
      assertThat(done.status()).as(done.body()).isEqualTo(200);
      assertThat(done.body())
          .contains("idem run pipelines/orders.yaml --window 2024-03-05")
          .contains("<span id=\"action-exit\">1</span>");
      assertThat(actions.carriedOut).hasValue(1);
      assertThat(attempts(s)).isEqualTo(3);
      // a client that sends no Origin (curl) still needs the token
      assertThat(Http.post(s.port(), RERUN, null, form(token)).status()).isEqualTo(200);
      assertThat(attempts(s)).isEqualTo(4);
    }
    try (WebServer restarted =
        new WebServer(List.of(Orders.served(file)), settings(actions)).start()) {
      // each start draws a new token: the page of the server before is refused
      assertThat(token(restarted)).isNotEqualTo(first);
      assertThat(Http.post(restarted.port(), RERUN, null, form(first)).status()).isEqualTo(403);
      assertThat(actions.carriedOut).hasValue(2);
    }
  }

  private static String form(String token) {
    return "csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&window=2024-03-05";
  }

  private static String token(WebServer s) throws Exception {
    Matcher m = TOKEN.matcher(Http.get(s.port(), WINDOW).body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static int attempts(WebServer s) throws Exception {
    return ServeTest.json(s, "/api/pipelines/orders/window?id=2024-03-05")
        .get("window")
        .get("attempts")
        .asInt();
  }
}
