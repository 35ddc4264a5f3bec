package io.edgekd.train.cli;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.train.model.ModelFileException;
import io.edgekd.train.network.UnsupportedLayerException;
import io.edgekd.train.training.TrainingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;

/**
 * {@code edgekd-train}: train teachers and students, evaluate them, export them to ONNX, and run the quickstart
 * and the paper's reproduction.
 *
 * <pre>
 *   java -jar train/target/edgekd-train.jar teacher --data sample --epochs 5 --out teacher.zip
 *   java -jar train/target/edgekd-train.jar student --data sample --teacher teacher.zip --transfer --out student.zip
 *   java -jar train/target/edgekd-train.jar evaluate --data sample --model student.zip
 * </pre>
 *
 * Expected failures (bad data, a missing file, NaN loss) print one line and exit with status 2; usage errors
 * exit with 2 after picocli's message.
 */
@Command(name = "edgekd-train", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Teacher/student knowledge distillation for image classifiers that run at camera speed on the edge.",
        subcommands = {QuickstartCommand.class, ReproduceCommand.class, TeacherCommand.class, StudentCommand.class, EvaluateCommand.class, ExportCommand.class,
            CommandLine.HelpCommand.class})
public final class EdgekdTrain {
    /** Held so the level sticks: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger RUNTIME_LOG = java.util.logging.Logger.getLogger("io.edgekd.runtime");

    private EdgekdTrain() {
    }

    /**
     * @param args command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * @param args command line
     * @return exit status
     */
    public static int run(String... args) {
        // The runtime logs which provider each model runs on; the commands print what matters themselves.
        RUNTIME_LOG.setLevel(java.util.logging.Level.WARNING);
        CommandLine cli = new CommandLine(new EdgekdTrain());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof DatasetException || ex instanceof ModelFileException || ex instanceof TrainingException
                    || ex instanceof UnsupportedLayerException || ex instanceof IOException || ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("edgekd-train " + commandLine.getCommandName() + ": " + message(ex));
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }
}
