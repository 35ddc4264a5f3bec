package io.edgekd.train.experiment;

import io.edgekd.core.dataset.Split;
import io.edgekd.train.Fixtures;
import io.edgekd.train.report.ProgressBar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several processes may run the same experiment into one folder: each run is trained by one of them only, the others
 * leave it alone and take it over when it is finished, or train it themselves when its process dies; every one of them
 * ends with the numbers a single process gets.
 */
class ExperimentSharingTest {
    private static final EnumSet<ModelResult.Kind> ARMS = EnumSet.of(ModelResult.Kind.STUDENT, ModelResult.Kind.STUDENT_KD_TRANSFER);
    private static final EnumSet<ModelResult.Kind> ALL = EnumSet.of(ModelResult.Kind.TEACHER, ModelResult.Kind.STUDENT,
            ModelResult.Kind.STUDENT_KD_TRANSFER);
    private static final Pattern TRAINING = Pattern.compile("^   (\\S+): training$", Pattern.MULTILINE);

    @TempDir
    static Path once;
    private static Split data;
    private static Experiment.TaskResult whole;

    @TempDir
    Path dir;

    /** The numbers one process alone gets, and its lock files. */
    @BeforeAll
    static void oneProcessAlone() throws Exception {
        data = Fixtures.threeClasses();
        whole = alone(once.resolve("whole"), data);
    }

    private static Experiment.TaskResult alone(Path out, Split split) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return new Experiment(ExperimentResumeTest.settings(ProgressBar.quiet()), out, quiet)
                .run("3 shapes", "", split.train(), split.validation(), split.validation(), ARMS);
    }

    private static void assertSameNumbers(Experiment.TaskResult expected, Experiment.TaskResult actual) {
        for (ModelResult.Kind kind : ALL) {
            assertEquals(expected.model(kind).seeds(), actual.model(kind).seeds());
            assertArrayEquals(expected.model(kind).accuracies(), actual.model(kind).accuracies(), 0, kind.toString());
        }
        assertEquals(expected.kdGain().orElseThrow(), actual.kdGain().orElseThrow());
    }

    private static List<String> trained(String log) {
        List<String> runs = new ArrayList<>();
        Matcher m = TRAINING.matcher(log);
        while (m.find()) {
            runs.add(m.group(1));
        }
        return runs;
    }

    @Test
    void aTeacherHeldByAnotherProcessHoldsBackItsTaskUntilThatProcessEnds() throws Exception {
        String teacherLock;
        try (Stream<Path> s = Files.list(once.resolve("whole/runs"))) {
            teacherLock = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("teacher-") && n.endsWith(".lock"))
                    .findFirst().orElseThrow();
        }

        Path shared = dir.resolve("shared");
        Files.createDirectories(shared.resolve("runs"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                shared.resolve("runs").resolve(teacherLock).toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", said.readLine());

            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Experiment e = new Experiment(ExperimentResumeTest.settings(ProgressBar.quiet()), shared,
                    new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(100));
            assertTrue(e.tryRun("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS).isEmpty(),
                    "the task cannot finish while another process trains its teacher");
            assertEquals(List.of(), trained(log.toString(StandardCharsets.UTF_8)), "no student starts without its teacher");
            try (Stream<Path> s = Files.list(shared.resolve("runs"))) {
                assertFalse(s.anyMatch(p -> p.toString().endsWith(".zip") || Files.isDirectory(p)), "nothing was trained or checkpointed");
            }

            // Waiting: the other process ends (here without finishing the teacher), so this one trains it itself.
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Experiment.TaskResult> waiting = pool.submit(() -> e.run("3 shapes", "", data.train(), data.validation(),
                        data.validation(), ARMS));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!log.toString(StandardCharsets.UTF_8).contains("waiting for teacher") && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertTrue(log.toString(StandardCharsets.UTF_8).contains("waiting for teacher, trained by another process"),
                        log.toString(StandardCharsets.UTF_8));
                assertFalse(waiting.isDone(), "it waits for the other process");
                other.getOutputStream().close(); // the other process lets go and ends
                assertTrue(other.waitFor(30, TimeUnit.SECONDS));
                Experiment.TaskResult r = waiting.get(5, TimeUnit.MINUTES);
                assertSameNumbers(whole, r);
                assertEquals(List.of("teacher", "student-seed7", "student-seed8", "student-kd-transfer-seed7", "student-kd-transfer-seed8"),
                        trained(log.toString(StandardCharsets.UTF_8)));
            } finally {
                pool.shutdownNow();
            }
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void twoWorkersOnOneFolderTrainEveryRunOnceAndBothGetTheWholeTask() throws Exception {
        Path shared = dir.resolve("shared");
        ByteArrayOutputStream[] logs = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Experiment.TaskResult>> workers = new ArrayList<>();
            for (ByteArrayOutputStream log : logs) {
                Experiment e = new Experiment(ExperimentResumeTest.settings(ProgressBar.quiet()), shared,
                        new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(100));
                workers.add(pool.submit(() -> e.run("3 shapes", "", data.train(), data.validation(), data.validation(), ARMS)));
            }
            for (Future<Experiment.TaskResult> w : workers) {
                assertSameNumbers(whole, w.get(5, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> first = trained(logs[0].toString(StandardCharsets.UTF_8));
        List<String> second = trained(logs[1].toString(StandardCharsets.UTF_8));
        List<String> both = new ArrayList<>(first);
        both.addAll(second);
        assertEquals(5, both.size(), "every run trained once: " + first + " / " + second);
        assertEquals(5, both.stream().distinct().count(), "no run trained twice: " + first + " / " + second);
        assertTrue(Files.isRegularFile(shared.resolve("student-kd-transfer.onnx")));
    }
}
