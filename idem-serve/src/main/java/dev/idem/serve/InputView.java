package dev.idem.serve;

/** The stale-input marker in words, for the grid's summary line and a window's page. */
final class InputView {
  private InputView() {}

  /** The grid's line: how many windows' input changed, and whether the time limit cut the look. */
  static String summary(InputCheck.Outcome input, ServeSettings settings) {
    if (input.byWindow().isEmpty() && !input.cut()) {
      return "Input: no done window whose input can be fingerprinted again.";
    }
    return "Input: "
        + input.changed()
        + " done windows whose input changed since their load (stale), of "
        + input.byWindow().size()
        + " fingerprinted again now"
        + (input.cut()
            ? "; the rest not checked (the grid waits at most "
                + InputCheck.ageText(settings.gridInputTimeout())
                + "; a window's page checks its own)."
            : ".");
  }

  /** A window's input as of this request. */
  static String now(InputCheck.Result r) {
    return switch (r.state()) {
      case InputCheck.Result.UNCHANGED -> "unchanged since the load";
      case InputCheck.Result.CHANGED ->
          "changed since the load (stale): now " + r.detail() + "; the next run loads it again";
      case InputCheck.Result.UNREADABLE -> "cannot be read now: " + r.detail();
      default -> "not checked" + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
    };
  }
}
