/**
 * File helpers every module shares: {@link io.edgekd.core.io.AtomicFiles} publishes a file only once it is
 * complete, so a crash, a full disk or a failed check never leaves a half-written model, report or checkpoint.
 */
package io.edgekd.core.io;
