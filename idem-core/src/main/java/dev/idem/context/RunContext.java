package dev.idem.context;

import dev.idem.window.Window;
import java.time.LocalDate;

/**
 * What a window's load knows about itself. Anything time-like that lands in data comes from {@link
 * #logicalDate()}, never from the wall clock, so a re-run writes the same values. Handed to
 * destinations and row functions (SPI), so it lives outside the runner's package.
 */
public record RunContext(
    String pipeline, String pipelineVersion, Window window, LocalDate logicalDate, String runId) {}
