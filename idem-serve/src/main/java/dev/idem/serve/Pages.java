package dev.idem.serve;

import dev.idem.check.CheckResult;
import dev.idem.check.CheckStatus;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The HTML pages: overview, a pipeline's window grid, a window, a spot-check's results. */
final class Pages {
  private final ServeSettings settings;

  Pages(ServeSettings settings) {
    this.settings = settings;
  }

  static String pipelineHref(String name) {
    return "/pipelines/" + Html.url(name);
  }

  static String windowHref(String pipeline, String windowId) {
    return pipelineHref(pipeline) + "/window?id=" + Html.url(windowId);
  }

  String overview(List<Inspection.View> views) {
    Html h = Html.page("pipelines");
    h.el("h1", "Pipelines");
    h.raw("<p>Read-only: each destination is opened for one request and closed again.</p>");
    h.tableHead(
        "Every pipeline served, as its ledger holds it now",
        "pipeline",
        "destination",
        ">windows",
        ">done",
        ">failed",
        ">running",
        ">stale",
        ">open dead letters",
        "last check",
        "last finished",
        "problem or note");
    for (Inspection.View v : views) {
      ServedPipeline p = v.served();
      h.raw("<tr><td>").link(pipelineHref(p.name()), p.name()).raw("</td>");
      h.el("td class=\"dest\"", p.readable() ? p.destination().describe() : p.file());
      if (v.problem() != null) {
        h.raw("<td colspan=\"8\"></td>")
            .raw("<td class=\"problem\">")
            .text(v.problem())
            .raw("</td>");
      } else {
        h.el("td class=\"n\"", v.states().size())
            .el("td class=\"n\"", v.count("done"))
            .el("td class=\"n\"", v.count("failed"))
            .el("td class=\"n\"", v.count("running"))
            .el("td class=\"n\"", v.count("stale"))
            .el("td class=\"n\"", v.openLetters().size())
            .el("td", worst(v.checks().values().stream().flatMap(List::stream).toList()))
            .el("td", v.last().map(s -> time(s.finishedAt())).orElse("never"))
            .el("td", v.note() == null ? "" : v.note());
      }
      h.raw("</tr>");
    }
    return h.tableEnd().end();
  }

  String pipeline(Inspection.View v, InputCheck.Outcome input) {
    ServedPipeline p = v.served();
    Html h = Html.page(p.name());
    h.el("h1", "Pipeline " + p.name());
    h.raw("<p>File ").el("code", p.file());
    if (p.readable()) {
      h.raw(", destination ").el("code", p.destination().describe());
    }
    h.raw("</p>");
    if (v.problem() != null) {
      return h.message(v.problem()).end();
    }
    if (v.note() != null) {
      h.raw("<p>").text(v.note()).raw("</p>");
    }
    h.raw("<p>")
        .text(
            v.states().size()
                + " windows: "
                + v.count("done")
                + " done, "
                + v.count("failed")
                + " failed, "
                + v.count("running")
                + " running, "
                + v.count("stale")
                + " stale; "
                + v.openLetters().size()
                + " open dead letters.")
        .raw("</p>");
    h.raw("<p id=\"input-summary\">").text(InputView.summary(input, settings)).raw("</p>");
    h.raw("<p class=\"legend\">Legend: ");
    for (String s : List.of("done", "failed", "running", "stale")) {
      h.raw("<span class=\"cell s-" + s + "\">").text(s).raw("</span> ");
    }
    h.raw("<span class=\"cell s-done input-changed\">input changed (stale)</span> ");
    h.raw("<span class=\"cell gap\">no window</span></p>");
    h.raw("<form method=\"get\" action=\"")
        .raw(Html.escape(pipelineHref(p.name()) + "/check"))
        .raw("\"><button type=\"submit\">Run spot-check (read-only, at most ")
        .text(settings.checkTimeout().toSeconds() + " s")
        .raw(")</button></form>");
    h.raw("<div class=\"grid\">");
    for (Grid.Row row : Grid.rows(p.pipeline().windows().kind(), v.states(), v::status)) {
      h.raw("<div class=\"row\"><span class=\"heading\">").text(row.heading()).raw("</span>");
      for (Grid.Cell c : row.cells()) {
        if (c.gap()) {
          h.raw("<span class=\"cell gap\" title=\"")
              .text(c.windowId() + ": not in the ledger")
              .raw("\">")
              .text(c.label())
              .raw("</span>");
        } else {
          InputCheck.Result r = input.byWindow().get(c.windowId());
          boolean changed = r != null && r.state().equals(InputCheck.Result.CHANGED);
          String name =
              c.windowId() + ": " + c.status() + (changed ? ", input changed since the load" : "");
          h.raw(
                  "<a class=\"cell s-"
                      + c.status()
                      + (changed ? " input-changed" : "")
                      + "\" href=\"")
              .raw(Html.escape(windowHref(p.name(), c.windowId())))
              .raw("\" title=\"")
              .text(name)
              .raw("\" aria-label=\"")
              .text(name)
              .raw("\">")
              .text(c.label())
              .raw("</a>");
        }
      }
      h.raw("</div>");
    }
    return h.raw("</div>").end();
  }

  /** A window's page; {@code actions} is the HTML of its action forms (empty when off). */
  String window(Inspection.WindowView w, InputCheck.Outcome input, String actions) {
    Inspection.View v = w.pipeline();
    ServedPipeline p = v.served();
    Html h = Html.page(p.name() + " " + (w.state() == null ? "" : w.state().windowId()));
    h.raw("<p>").link(pipelineHref(p.name()), "← pipeline " + p.name()).raw("</p>");
    if (w.state() == null) {
      return h.message(v.problem()).end();
    }
    WindowState s = w.state();
    String status = v.status(s);
    h.raw("<h1>Window ")
        .el("code", s.windowId())
        .raw(" <span class=\"cell s-" + status + "\">")
        .text(status)
        .raw("</span></h1>");
    WindowCounts c = s.counts();
    h.el("h2", "Counts");
    h.raw("<p class=\"balance\">").text(balance(c)).raw("</p>");
    h.tableHead("Where each record read went", "count", ">rows");
    h.row("read", c.read())
        .row("discarded (row function)", c.discarded())
        .row("dead-lettered", c.deadLettered())
        .row("folded (in-window duplicates)", c.folded())
        .row("inserted", c.inserted())
        .row("updated", c.updated())
        .row("unchanged", c.unchanged())
        .row("skipped as existing", c.skipped())
        .row("deleted", c.deleted())
        .row("rolled back (failed load)", c.rolledBack())
        .row("reshaped (SQL transform)", c.reshaped())
        .row("values nulled", c.valuesNulled())
        .row("rows in target (ledger)", c.targetRows())
        .tableEnd();
    h.el("h2", "Attempts and times");
    h.tableHead("The window's ledger row", "field", "value");
    h.row("attempts", s.attempts())
        .row("run id", s.runId())
        .row("pipeline version", s.pipelineVersion())
        .row("started at", time(s.startedAt()))
        .row("finished at", time(s.finishedAt()))
        .row("lease holder", s.owner() == null ? "" : s.owner())
        .row("lease expires", time(s.leaseExpires()))
        .row("input fingerprint", s.fingerprint() == null ? "" : s.fingerprint())
        .row("input fingerprint age", InputCheck.ageText(InputCheck.age(s, v.now())))
        .row("input now", InputView.now(input.of(s)))
        .row("schema fingerprint", s.schema() == null ? "" : s.schema().fingerprint())
        .row(
            "schema drift",
            s.schema() == null || s.schema().drift() == null ? "none" : s.schema().drift())
        .row("stream position", s.sourcePosition() == null ? "" : s.sourcePosition())
        .row("error", s.error() == null ? "" : s.error())
        .tableEnd();
    List<CheckResult> checks = v.checks().getOrDefault(s.windowId(), List.of());
    if (!checks.isEmpty()) {
      h.tableHead("Recorded checks", "check", "status", "detail", "checked at");
      checks.forEach(
          r -> h.row(r.check().label(), r.status().label(), r.detail(), time(r.checkedAt())));
      h.tableEnd();
    }
    h.raw(actions);
    return letters(h, p, w.letters()).end();
  }

  private Html letters(Html h, ServedPipeline p, List<DeadLetter> letters) {
    h.el("h2", "Dead letters");
    if (letters.isEmpty()) {
      return h.raw("<p>None.</p>");
    }
    boolean show = settings.rawInput() == ServeSettings.RawInput.SHOW;
    h.raw("<p>")
        .text(
            show
                ? "Dead letters hold input as it arrived, customer data included (idem serve --hide-raw hides it)."
                : "Raw input is hidden (--hide-raw): only its size is shown.")
        .raw("</p>");
    if (letters.stream().anyMatch(l -> !l.replayed())) {
      String command = "idem dlq replay " + p.file();
      h.raw(
              "<p>After fixing the input or the pipeline file, load the window again: <code id=\"replay\">")
          .text(command)
          .raw(
              "</code> <button type=\"button\" class=\"copy\" data-copy=\"replay\">Copy command</button></p>");
    }
    h.tableHead(
        "Records that could not be loaded",
        "position",
        "reason",
        "raw input",
        "state",
        "created at");
    for (DeadLetter l : letters) {
      String raw =
          show
              ? l.raw() + (l.truncated() ? " … (cut, " + l.rawBytes() + " bytes)" : "")
              : "hidden (" + l.rawBytes() + " bytes)";
      h.raw("<tr class=\"letter\">")
          .el("td", l.position())
          .el("td", l.reason())
          .raw("<td><code>")
          .text(raw)
          .raw("</code></td>")
          .el("td", l.replayed() ? "replayed " + time(l.replayedAt()) : "open")
          .el("td", time(l.createdAt()))
          .raw("</tr>");
    }
    return h.tableEnd();
  }

  String spotCheck(ServedPipeline p, SpotCheck.Outcome outcome) {
    Html h = Html.page(p.name() + " spot-check");
    h.raw("<p>").link(pipelineHref(p.name()), "← pipeline " + p.name()).raw("</p>");
    h.el("h1", "Spot-check of " + p.name());
    h.raw("<p>The checks of <code>idem check</code>, run read-only and recorded nowhere.</p>");
    if (outcome.problem() != null) {
      return h.message(outcome.problem()).end();
    }
    h.raw("<p id=\"check-summary\">")
        .text(
            "worst: "
                + worst(outcome.results())
                + " ("
                + outcome.results().size()
                + " results in "
                + outcome.millis()
                + " ms)")
        .raw("</p>");
    h.tableHead("Check results", "window", "check", "status", "detail");
    for (CheckResult r : outcome.results()) {
      h.raw("<tr class=\"check c-" + r.status().label() + "\">")
          .el("td", r.tableWide() ? "whole table" : r.windowId())
          .el("td", r.check().label())
          .el("td", r.status().label())
          .el("td", r.detail())
          .raw("</tr>");
    }
    return h.tableEnd().end();
  }

  /** The balance equation with this window's numbers. */
  static String balance(WindowCounts c) {
    long right =
        c.discarded()
            + c.deadLettered()
            + c.rolledBack()
            + c.reshaped()
            + c.folded()
            + c.inserted()
            + c.updated()
            + c.unchanged()
            + c.skipped()
            + c.deleted();
    return "read "
        + c.read()
        + " = discarded "
        + c.discarded()
        + " + dead-lettered "
        + c.deadLettered()
        + " + rolled back "
        + c.rolledBack()
        + " + reshaped "
        + c.reshaped()
        + " + folded "
        + c.folded()
        + " + inserted "
        + c.inserted()
        + " + updated "
        + c.updated()
        + " + unchanged "
        + c.unchanged()
        + " + skipped "
        + c.skipped()
        + " + deleted "
        + c.deleted()
        + (c.balanced() ? " (balances)" : " (= " + right + ": does not balance)");
  }

  static String worst(List<CheckResult> results) {
    return CheckStatus.worst(results).map(CheckStatus::label).orElse("none recorded");
  }

  static String time(Instant t) {
    return t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
