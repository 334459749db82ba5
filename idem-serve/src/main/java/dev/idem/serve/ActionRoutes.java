package dev.idem.serve;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The page's two actions, re-run a window and replay dead letters, as POST forms. Only with {@code
 * --allow-actions}: otherwise the forms are absent and every action answers 403. Each form carries
 * a token drawn at random when the server starts, compared in constant time; a request whose {@code
 * Origin} is not this server's is refused (the {@code Host} allowlist applies before, as to every
 * request). Actions run one at a time, each through {@link ServeActions}: the same code as the
 * command a person would type.
 */
final class ActionRoutes {
  static final String TOKEN_FIELD = "csrf";
  static final String OFF =
      "refused: actions are off (start idem serve with --allow-actions to re-run windows and replay"
          + " dead letters from the page)";

  private final ServeActions actions;
  private final String token;
  private final Function<Context, ServedPipeline> served;

  ActionRoutes(ServeActions actions, Function<Context, ServedPipeline> served) {
    this.actions = actions;
    this.served = served;
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  boolean on() {
    return actions != null;
  }

  /** The window page's action forms; empty when actions are off. */
  String forms(ServedPipeline p, String windowId, boolean openLetters) {
    if (!on()) {
      return "";
    }
    String base = Pages.pipelineHref(p.name()) + "/actions/";
    StringBuilder h =
        new StringBuilder("<h2>Actions</h2><p>")
            .append(
                "Each runs the command shown, here, with the same runner and lease as the command"
                    + " line.</p><div class=\"actions\">");
    h.append(
        form(base + "rerun", "Re-run window " + windowId, windowId, rerunCommand(p, windowId)));
    if (openLetters) {
      h.append(form(base + "replay", "Replay dead letters", null, replayCommand(p)));
    }
    return h.append("</div>").toString();
  }

  private String form(String action, String label, String windowId, String command) {
    return "<form method=\"post\" action=\""
        + Html.escape(action)
        + "\"><input type=\"hidden\" name=\""
        + TOKEN_FIELD
        + "\" value=\""
        + token
        + "\">"
        + (windowId == null
            ? ""
            : "<input type=\"hidden\" name=\"window\" value=\"" + Html.escape(windowId) + "\">")
        + "<button type=\"submit\">"
        + Html.escape(label)
        + "</button> <code>"
        + Html.escape(command)
        + "</code></form>";
  }

  static String rerunCommand(ServedPipeline p, String windowId) {
    return "idem run " + p.file() + " --window " + windowId;
  }

  static String replayCommand(ServedPipeline p) {
    return "idem dlq replay " + p.file();
  }

  void rerun(Context ctx) {
    handle(
        ctx,
        p -> {
          String window = ctx.formParam("window");
          if (window == null || window.isBlank()) {
            throw new WebServer.UnknownPipeline("which window? the form names none");
          }
          return actions.rerun(p, window);
        });
  }

  void replay(Context ctx) {
    handle(ctx, actions == null ? null : actions::replay);
  }

  private void handle(Context ctx, Function<ServedPipeline, ServeActions.Result> action) {
    String refusal = refusal(ctx);
    if (refusal != null) {
      ctx.status(HttpStatus.FORBIDDEN);
      ctx.contentType("text/plain; charset=utf-8");
      ctx.result(refusal);
      return;
    }
    ServedPipeline p = served.apply(ctx);
    if (!p.readable()) {
      throw new WebServer.UnknownPipeline(p.name() + ": " + p.problem());
    }
    ServeActions.Result r;
    synchronized (this) { // one action at a time: a second click waits for the first
      r = action.apply(p);
    }
    Html h = Html.page(p.name() + " action");
    h.raw("<p>").link(Pages.pipelineHref(p.name()), "← pipeline " + p.name()).raw("</p>");
    h.el("h1", "Action on " + p.name());
    h.raw("<p id=\"action-command\">Ran <code>").text(r.command()).raw("</code>: exit code ");
    h.raw("<span id=\"action-exit\">").text(r.exitCode()).raw("</span></p>");
    h.raw("<pre id=\"action-output\">").text(r.output()).raw("</pre>");
    ctx.html(h.end());
  }

  /** Why this POST is refused, or null: actions off, a wrong or missing token, another Origin. */
  private String refusal(Context ctx) {
    if (!on()) {
      return OFF;
    }
    String given = ctx.formParam(TOKEN_FIELD);
    if (given == null
        || !MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      return "refused: the form's token is missing or not this server's (reload the page: a"
          + " restarted server draws a new one)";
    }
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin != null && !origin.equalsIgnoreCase("http://" + host)) {
      return "refused: a request from " + origin + ", not from this server's pages";
    }
    return null;
  }
}
