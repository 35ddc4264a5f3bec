package io.edgekd.train.cli;

import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.dataset.ProgressListener;
import io.edgekd.core.dataset.Split;
import io.edgekd.train.data.DataSource;
import io.edgekd.train.experiment.Experiment;
import io.edgekd.train.experiment.ExperimentReport;
import io.edgekd.train.experiment.ModelResult;
import io.edgekd.train.report.ProgressBar;
import picocli.CommandLine;
import io.edgekd.train.data.Augmentation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code edgekd-train reproduce}: Jaiswal &amp; Gajjar's experiment on Fashion-MNIST. Table I analogue on the
 * 10-class task and two binary tasks (T-shirt/top vs. Shirt, the hard pair; Sneaker vs. Ankle boot): teacher from
 * scratch, student alone, student by distillation, student by distillation with transfer. Table III analogue:
 * distilled students for 2, 3, 5 and 10 classes, timed in the edge runtime.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reproduce the paper's Table I and Table III on Fashion-MNIST (full set; with the defaults about 15.4 hours of training at one thread, 8-9 hours as two processes on two cores; "
                + "rerunning the same command with the same --out continues where it stopped; several processes started with the same "
                + "--out share the runs between them).")
public final class ReproduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "DATA",
            description = "fashion-mnist (Debian's full set, default), sample, or a folder of Fashion-MNIST IDX files")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--teacher-epochs", defaultValue = "20", description = "teacher epochs on the 10-class task (default: ${DEFAULT-VALUE})")
    int teacherEpochs;

    @Option(names = "--student-epochs", defaultValue = "12", description = "student epochs on the 10-class task (default: ${DEFAULT-VALUE})")
    int studentEpochs;

    @Option(names = "--subset-epochs", defaultValue = "5", description = "epochs of every model on the smaller tasks (default: ${DEFAULT-VALUE})")
    int subsetEpochs;

    @Option(names = "--teacher-width", defaultValue = "1.0", description = "teacher channel multiplier (default: ${DEFAULT-VALUE})")
    double teacherWidth;

    @Option(names = "--fast", description = "a reduced run: 60 images per class, one epoch, a narrow teacher")
    boolean fast;

    @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-q", "--quiet"}, description = "no progress bars")
    boolean quiet;

    @Option(names = "--seeds", description = "student seeds per arm, paired across arms (--seed, --seed+1, ...) (default: ${DEFAULT-VALUE})")
    int seeds = 3;

    @Option(names = "--temperature", description = "distillation temperature T (default: ${DEFAULT-VALUE})")
    double temperature = ExperimentCommands.Recipe.DEFAULT.temperature();

    @Option(names = "--alpha", description = "weight of the teacher's soft targets (default: ${DEFAULT-VALUE})")
    double alpha = ExperimentCommands.Recipe.DEFAULT.alpha();

    @Option(names = "--shift", description = "students: random shifts of up to this many pixels (default: ${DEFAULT-VALUE})")
    int shift = ExperimentCommands.Recipe.DEFAULT.augmentation().maxShift();

    @Option(names = "--flip", negatable = true, description = "students: random horizontal flips (default: ${DEFAULT-VALUE})")
    boolean flip = ExperimentCommands.Recipe.DEFAULT.augmentation().flip();

    @Option(names = "--teacher-shift", description = "teacher: random shifts of up to this many pixels (default: ${DEFAULT-VALUE})")
    int teacherShift = TEACHER_AUGMENTATION.maxShift();

    @Option(names = "--teacher-flip", negatable = true, description = "teacher: random horizontal flips (default: ${DEFAULT-VALUE})")
    boolean teacherFlip = TEACHER_AUGMENTATION.flip();

    /**
     * The teacher's augmentation on every task: flips and shifts of up to 2 pixels, the usual Fashion-MNIST recipe for
     * networks of this size, meant to let a 20-epoch teacher train longer without overfitting. Taken from practice, not
     * validated here: one teacher run on the full set takes hours on two cores.
     */
    static final Augmentation TEACHER_AUGMENTATION = new Augmentation(true, 2);

    private ExperimentCommands.Recipe recipe() {
        return new ExperimentCommands.Recipe(temperature, alpha, new Augmentation(flip, shift));
    }

    @Option(names = "--poll", defaultValue = "30", paramLabel = "SECONDS",
            description = "when other processes share --out: how often to look again at the runs they are training (default: ${DEFAULT-VALUE})")
    int pollSeconds;

    @Option(names = "--tasks", split = ",", paramLabel = "TASK",
            description = "run only these tasks, comma-separated: 10-class, binary-tshirt-shirt, binary-sneaker-boot, ternary-footwear, "
                    + "five-class (default: all)")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        List<String> c = FashionMnist.CLASSES;
        record Task(String name, String prefix, List<String> classes, Set<ModelResult.Kind> kinds, boolean main) {
            String id() {
                return main ? "10-class" : prefix.substring(0, prefix.length() - 1);
            }
        }
        Set<ModelResult.Kind> all = EnumSet.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD, ModelResult.Kind.STUDENT_KD_TRANSFER);
        List<Task> tasks = List.of(
                new Task("10-class", "", c, all, true),
                new Task("binary: T-shirt/top vs. Shirt", "binary-tshirt-shirt-", List.of(c.get(0), c.get(6)), all, false),
                new Task("binary: Sneaker vs. Ankle boot", "binary-sneaker-boot-", List.of(c.get(7), c.get(9)), all, false),
                new Task("ternary: Sandal, Sneaker, Ankle boot", "ternary-footwear-", List.of(c.get(5), c.get(7), c.get(9)),
                        EnumSet.of(ModelResult.Kind.STUDENT_KD_TRANSFER), false),
                new Task("5-class: T-shirt/top, Trouser, Pullover, Dress, Coat", "five-class-", c.subList(0, 5),
                        EnumSet.of(ModelResult.Kind.STUDENT_KD_TRANSFER), false));
        List<String> ids = tasks.stream().map(Task::id).toList();
        if (only != null) {
            for (String id : only) {
                if (!ids.contains(id)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--tasks: expected some of " + String.join(", ", ids)
                            + ", found '" + id + "'");
                }
            }
        }
        if (pollSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--poll: expected at least 1 second, found " + pollSeconds);
        }
        ExperimentCommands.prepareOutput(out);
        DataSource src = DataSource.resolve(data, 28, 1, 0.2, seed, ProgressListener.NONE);
        List<Task> chosen = tasks.stream().filter(t -> only == null || only.contains(t.id())).toList();
        Experiment.TaskResult[] results = new Experiment.TaskResult[chosen.size()];
        Experiment[] experiments = new Experiment[chosen.size()];
        Split[] splits = new Split[chosen.size()];
        ImageDataset[] tests = new ImageDataset[chosen.size()];
        // Sweeps over the tasks not finished yet, each as far as this process can take it: runs another process sharing
        // --out holds (a teacher, or students) are left to it, so the next sweep, after a pause, takes them over
        // finished. With one process the first sweep finishes everything.
        boolean said = false;
        while (Arrays.stream(results).anyMatch(Objects::isNull)) {
            for (int i = 0; i < chosen.size(); i++) {
                if (results[i] != null) {
                    continue;
                }
                Task t = chosen.get(i);
                if (experiments[i] == null) {
                    ImageDataset train = ExperimentCommands.limit(src.train().selectClasses(t.classes()), fast ? 60 : 0, seed);
                    tests[i] = ExperimentCommands.limit(src.test().selectClasses(t.classes()), fast ? 20 : 0, seed);
                    splits[i] = train.split(fast ? 0.2 : 0.1, seed);
                    int te = fast ? 1 : (t.main() ? teacherEpochs : subsetEpochs);
                    int se = fast ? 1 : (t.main() ? studentEpochs : subsetEpochs);
                    Experiment.Settings settings = ExperimentCommands.settings(splits[i].train().size(), te, se, fast ? 0.25 : teacherWidth, 64,
                            seed, quiet, fast ? 2 : 5, fast ? 50 : 300, 512, recipe(), fast ? Math.min(seeds, 2) : seeds,
                            fast ? Augmentation.NONE : new Augmentation(teacherFlip, teacherShift));
                    experiments[i] = new Experiment(settings, out, System.out);
                }
                results[i] = experiments[i].tryRun(t.name(), t.prefix(), splits[i].train(), splits[i].validation(), tests[i], t.kinds())
                        .orElse(null);
                if (results[i] != null) {
                    ExperimentReport.write(out, "edgekd: Jaiswal & Gajjar's tables reproduced on Fashion-MNIST", command(), src.name(),
                            finished(results), (System.nanoTime() - start) / 1e9);
                    experiments[i] = null; // its data and models are no longer needed
                    splits[i] = null;
                    tests[i] = null;
                }
            }
            if (Arrays.stream(results).anyMatch(Objects::isNull)) {
                if (!said) {
                    said = true;
                    System.out.printf(Locale.ROOT, "   waiting for runs other processes sharing %s are training (checking every %d s)%n", out,
                            pollSeconds);
                }
                Thread.sleep(pollSeconds * 1000L);
            }
        }
        List<Experiment.TaskResult> done = finished(results);
        double seconds = (System.nanoTime() - start) / 1e9;
        String md = ExperimentReport.write(out, "edgekd: Jaiswal & Gajjar's tables reproduced on Fashion-MNIST", command(), src.name(),
                done, seconds);
        System.out.println();
        System.out.println(md);
        System.out.printf(Locale.ROOT, "reproduction finished in %s; report in %s%n", ProgressBar.clock(seconds), out.toAbsolutePath());
        return 0;
    }

    private static List<Experiment.TaskResult> finished(Experiment.TaskResult[] results) {
        return Arrays.stream(results).filter(Objects::nonNull).toList();
    }

    private String command() {
        return "java -jar train/target/edgekd-train.jar reproduce --data " + data + " --out " + out + (fast ? " --fast" : "")
                + (fast ? "" : String.format(Locale.ROOT, " --teacher-epochs %d --student-epochs %d --subset-epochs %d --teacher-width %s",
                teacherEpochs, studentEpochs, subsetEpochs, teacherWidth))
                + (fast ? "" : String.format(Locale.ROOT, " --teacher-shift %d %s", teacherShift, teacherFlip ? "--teacher-flip" : "--no-teacher-flip"))
                + String.format(Locale.ROOT, " --seed %d --seeds %d --temperature %s --alpha %s --shift %d%s", seed, seeds, temperature, alpha,
                shift, flip ? " --flip" : "")
                + (only == null ? "" : " --tasks " + String.join(",", only));
    }
}
