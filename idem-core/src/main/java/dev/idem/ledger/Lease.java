package dev.idem.ledger;

import java.time.Instant;

/**
 * The right to write one window until {@code expires}. The fencing {@code token} grows with each
 * claim; a commit succeeds only while the ledger still holds this token, so a runner whose lease
 * was taken over cannot commit. {@code previous} is the window's ledger row as it was when claimed
 * (null for a window never seen), so the claimer can tell that another runner just finished it.
 */
public record Lease(
    String pipeline,
    String windowId,
    String owner,
    long token,
    Instant expires,
    WindowState previous) {}
