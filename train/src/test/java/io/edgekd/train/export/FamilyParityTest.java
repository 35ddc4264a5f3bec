package io.edgekd.train.export;

import io.edgekd.core.spec.ModelSpec;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.NetworkFamily;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import io.edgekd.train.network.TeacherNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.edgekd.train.export.ExportTestSupport.LOGIT_TOLERANCE;
import static io.edgekd.train.export.ExportTestSupport.PROB_TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * edgekd's own families, narrowed to stay fast, with batch-norm statistics and biases randomised: exported with
 * batch norm folded and kept, run in ONNX Runtime against DL4J. Tolerances as in {@link LayerParityTest}.
 */
class FamilyParityTest {
    private static final int SAMPLES = 4;

    static Stream<Arguments> families() {
        NetworkFamily teacher = TeacherNetwork.builder().stemFilters(8).width(0.25).denseUnits(32).build();
        NetworkFamily student = StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build();
        NetworkFamily studentBn = StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).depthwiseBatchNorm(true).relu6(false)
                .stages(3).blocksPerStage(1).build();
        Stream.Builder<Arguments> s = Stream.builder();
        for (boolean fold : new boolean[] {true, false}) {
            s.add(Arguments.of("teacher", teacher, new InputShape(1, 28, 28), 10, fold));
            s.add(Arguments.of("teacher", teacher, new InputShape(3, 21, 17), 5, fold));
            s.add(Arguments.of("student", student, new InputShape(1, 28, 28), 10, fold));
            s.add(Arguments.of("student", student, new InputShape(3, 23, 19), 3, fold));
            s.add(Arguments.of("student dw-bn relu", studentBn, new InputShape(3, 25, 25), 2, fold));
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} {2}, {3} classes, fold batch norm {4}")
    @MethodSource("families")
    void onnxRuntimeMatchesDl4j(String name, NetworkFamily family, InputShape input, int classes, boolean fold) throws Exception {
        MultiLayerNetwork net = Networks.build(family, input, classes, 5);
        ExportTestSupport.randomize(net, 6);
        ModelSpec spec = ExportTestSupport.spec(input.channels(), input.height(), input.width(), classes);
        ExportTestSupport.Parity p = ExportTestSupport.parity(net, spec, ExportOptions.builder().foldBatchNorm(fold).build(),
                false, false, SAMPLES, 77);
        System.out.println("parity [" + name + " " + input + ", " + classes + " classes, fold=" + fold + "]: " + p.describe());
        assertTrue(p.maxProbDiff() <= PROB_TOLERANCE, "max |dp| " + p.maxProbDiff());
        assertTrue(p.maxLogitDiff() <= LOGIT_TOLERANCE, "max rel |dz| " + p.maxLogitDiff());
        assertEquals(0, p.argmaxMismatches(), "samples whose top class differs");
        assertTrue(p.exporterDiff() <= PROB_TOLERANCE, "exporter's own check " + p.exporterDiff());
    }
}
