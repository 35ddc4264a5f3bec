package io.edgekd.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The command line both comparisons share: {@code REFERENCE CANDIDATE [TOLERANCE]}, the summary on standard output
 * when the files agree (exit 0) or on standard error when they do not (exit 1), and exit 2 for bad arguments or files
 * that cannot be compared. Thread safety: stateless.
 */
final class ComparisonCommand {
    /** Default largest allowed probability difference. */
    static final double DEFAULT_TOLERANCE = 1e-5;

    /** What a comparison found. */
    interface Outcome {
        /** @return whether the candidate agrees with the reference */
        boolean passed();

        /** @return one line for people */
        String summary();
    }

    /** Reads both files and compares them. */
    @FunctionalInterface
    interface Comparison {
        /**
         * @throws IOException              if a file cannot be read
         * @throws IllegalArgumentException if the files cannot be compared
         */
        Outcome compare(Path reference, Path candidate, double tolerance) throws IOException;
    }

    private ComparisonCommand() {
    }

    /**
     * @param name       the command's name, for the usage line
     * @param files      what the two files are, e.g. {@code REFERENCE.txt CANDIDATE.txt}
     * @param out        where the summary of an agreement goes
     * @param err        where disagreements and errors go
     * @param args       {@code REFERENCE CANDIDATE [TOLERANCE]}
     * @param comparison the comparison
     * @return 0 when the files agree, 1 when they do not, 2 on bad arguments or files that cannot be compared
     */
    static int run(String name, String files, PrintStream out, PrintStream err, String[] args, Comparison comparison) {
        if (args.length < 2 || args.length > 3) {
            err.println("usage: " + name + " " + files + " [TOLERANCE] (expected 2 or 3 arguments, found " + args.length + ")");
            return 2;
        }
        double tolerance;
        try {
            tolerance = args.length == 3 ? Double.parseDouble(args[2]) : DEFAULT_TOLERANCE;
        } catch (NumberFormatException e) {
            err.println("tolerance: expected a number such as 1e-5, found '" + args[2] + "'");
            return 2;
        }
        try {
            Outcome r = comparison.compare(Path.of(args[0]), Path.of(args[1]), tolerance);
            (r.passed() ? out : err).println(args[1] + " vs " + args[0] + ": " + r.summary());
            return r.passed() ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }
}
