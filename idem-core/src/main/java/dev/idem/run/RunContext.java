package dev.idem.run;

import java.time.LocalDate;
import dev.idem.window.Window;

/**
 * What a window's load knows about itself. Anything time-like that lands in data comes from
 * {@link #logicalDate()}, never from the wall clock, so a re-run writes the same values.
 */
public record RunContext(String pipeline, String pipelineVersion, Window window, LocalDate logicalDate, String runId) {}
