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
import java.util.Optional;
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

    private static void assertSameNumbers(Experiment.TaskResult expected, Experiment.TaskResult actual, double tolerance) {
        for (ModelResult.Kind kind : ALL) {
            assertEquals(expected.model(kind).seeds(), actual.model(kind).seeds());
            assertArrayEquals(expected.model(kind).accuracies(), actual.model(kind).accuracies(), tolerance, kind.toString());
        }
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
                shared.resolve("runs").resolve(teacherLock).toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
                while (!log.toString(StandardCharsets.UTF_8).contains("waiting for them") && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                Thread.sleep(500); // a few polls
                String text = log.toString(StandardCharsets.UTF_8);
                assertTrue(text.contains("teacher is being trained by another process") && text.contains("waiting for them"), text);
                assertEquals(1, text.split("teacher is being trained", -1).length - 1, "said once, not at every poll: " + text);
                assertFalse(waiting.isDone(), "it waits for the other process");
                other.getOutputStream().close(); // the other process lets go and ends
                assertTrue(other.waitFor(30, TimeUnit.SECONDS));
                Experiment.TaskResult r = waiting.get(5, TimeUnit.MINUTES);
                assertSameNumbers(whole, r, 0);
                assertEquals(whole.kdGain().orElseThrow(), r.kdGain().orElseThrow());
                assertEquals(List.of("teacher", "student-seed7", "student-seed8", "student-kd-transfer-seed7", "student-kd-transfer-seed8"),
                        trained(log.toString(StandardCharsets.UTF_8)));
            } finally {
                pool.shutdownNow();
            }
        } finally {
            other.destroyForcibly();
        }
    }

    private static String tryFromAnotherProcess(Path lock) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lock.toString(), "try")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return said;
    }

    /**
     * A lock belongs to the process, and on POSIX systems closing any handle of its file drops it: a second thread's
     * failed claim must not open the file, or another process could take a run this one is training.
     */
    @Test
    void aRefusedClaimInOneThreadLeavesTheOtherThreadsClaimInForce() throws Exception {
        String fp = RunStore.fingerprint("a run");
        Path lock = dir.resolve("runs").resolve("some-run-" + fp.substring(0, 12) + ".lock");
        Optional<RunStore.Claim> first = new RunStore(dir).claim("some-run", fp);
        assertTrue(first.isPresent());
        try {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                assertTrue(pool.submit(() -> new RunStore(dir).claim("some-run", fp)).get().isEmpty(), "another thread is refused");
            } finally {
                pool.shutdownNow();
            }
            assertEquals("busy", tryFromAnotherProcess(lock), "and the claim still holds against other processes");
        } finally {
            first.get().close();
        }
        assertEquals("locked", tryFromAnotherProcess(lock), "released on close");
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
            Experiment.TaskResult a = workers.get(0).get(5, TimeUnit.MINUTES);
            Experiment.TaskResult b = workers.get(1).get(5, TimeUnit.MINUTES);
            assertSameNumbers(a, b, 0); // the same finished runs
            // Two trainings at once in one JVM may split their sums over threads differently from one alone: allow one
            // validation image either way.
            assertSameNumbers(whole, a, 1.0 / data.validation().size() + 1e-9);
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
