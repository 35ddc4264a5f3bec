package io.edgekd.examples.camera;

/**
 * The camera demo's exit status, one per kind of outcome (documented in the README). Ctrl-C and SIGTERM stop
 * the run cleanly (the video is finalised); the process then ends with the shell's usual 130 and 143.
 *
 * <p>Thread safety: immutable.
 */
public enum ExitCode {
    /** The input ended (end of file after its loops, a stream that closed) or the window was closed. */
    OK(0),
    /** Something unexpected failed (a bug: the message and stack trace say what). */
    INTERNAL(1),
    /** The command line is wrong. */
    USAGE(2),
    /** The model cannot be loaded. */
    MODEL(3),
    /** The input cannot be opened or gave no first frame: missing, busy camera; unreadable or corrupt file; unreachable or stalled stream. */
    INPUT_OPEN(4),
    /** The input failed during the run: camera unplugged, stream stalled longer than the timeout. */
    INPUT_FAILED(5),
    /** The output cannot be opened or written: no display, missing folder, full disk. */
    OUTPUT(6);

    private final int status;

    ExitCode(int status) {
        this.status = status;
    }

    /** @return the process exit status */
    public int status() {
        return status;
    }
}
