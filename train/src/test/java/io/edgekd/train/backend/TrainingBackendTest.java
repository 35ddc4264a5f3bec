package io.edgekd.train.backend;

import io.edgekd.train.Fixtures;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainingBackendTest {
    @Test
    void oneDnnHelpersAreActiveOnTheOneDnnBuild() {
        TrainingBackend.Info info = TrainingBackend.init();
        assumeTrue("CPU".equalsIgnoreCase(info.backend()), "not the CPU backend");
        assumeTrue(System.getProperty("os.arch").contains("64") && !System.getProperty("os.arch").contains("aarch"),
                "the oneDNN build exists for x86_64 only");
        assertTrue(info.oneDnnBuild(), "expected ND4J's -onednn native build to be loaded: " + info.describe());
        MultiLayerNetwork net = Networks.build(Fixtures.tinyTeacher(), new InputShape(1, 16, 16), 3, 1);
        int helpers = TrainingBackend.activeOneDnnHelpers(net);
        // Convolutions, batch norms and the pooling layers each get one.
        assertTrue(helpers >= 6, "oneDNN helpers on " + helpers + " layers");
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 1, 16, 16), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1).castTo(DataType.FLOAT));
        net.fit(batch);
        assertEquals(helpers, TrainingBackend.activeOneDnnHelpers(net), "no helper fell back after a training step");
    }

    /** A JVM that forces ND4J's plain native build trains the same network on the generic kernels, helpers off. */
    @Test
    void withoutTheOneDnnBuildTrainingFallsBackCleanly() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.platform.extension=", PlainBuild.class.getName())).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "2");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("oneDnnBuild=false helpers=0 finite=true"), out);
    }

    /** Entry point of the child JVM. */
    public static final class PlainBuild {
        public static void main(String[] args) {
            TrainingBackend.Info info = TrainingBackend.init();
            MultiLayerNetwork net = Networks.build(Fixtures.tinyTeacher(), new InputShape(1, 16, 16), 3, 1);
            DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 1, 16, 16), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1).castTo(DataType.FLOAT));
            net.fit(batch);
            System.out.println("oneDnnBuild=" + info.oneDnnBuild() + " helpers=" + TrainingBackend.activeOneDnnHelpers(net)
                    + " finite=" + Double.isFinite(net.score()));
        }
    }
}
