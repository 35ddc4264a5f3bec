package io.edgekd.train.export;

import ai.onnx.proto.OnnxMl;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.OutputKind;
import io.edgekd.core.spec.PixelOrder;
import io.edgekd.runtime.EdgeClassifier;
import io.edgekd.runtime.EdgeOptions;
import io.edgekd.train.model.TrainedModel;
import io.edgekd.train.network.InputShape;
import io.edgekd.train.network.Networks;
import io.edgekd.train.network.StudentNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an exported file holds: ONNX header fields, the spec in metadata, dynamic batch, outputs, and the graph's shape. */
class ExportFileTest {
    private static TrainedModel student;

    @BeforeAll
    static void buildStudent() {
        MultiLayerNetwork net = Networks.build(StudentNetwork.builder().stemFilters(8).widthMultiplier(0.25).build(),
                new InputShape(1, 28, 28), 10, 3);
        ExportTestSupport.randomize(net, 4);
        student = new TrainedModel(net, ExportTestSupport.spec(1, 28, 28, 10), Map.of());
    }

    private static Map<String, String> metadata(OnnxMl.ModelProto m) {
        Map<String, String> map = new LinkedHashMap<>();
        for (OnnxMl.StringStringEntryProto e : m.getMetadataPropsList()) {
            map.put(e.getKey(), e.getValue());
        }
        return map;
    }

    private static String dims(OnnxMl.ValueInfoProto v) {
        StringBuilder sb = new StringBuilder();
        for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            sb.append(sb.length() == 0 ? "" : ",").append(d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()));
        }
        return sb.toString();
    }

    private static long count(List<String> ops, String op) {
        return ops.stream().filter(op::equals).count();
    }

    @Test
    void aPlainExportCarriesTheSpecAndTheOnnxHeader(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("student.onnx");
        ExportResult r = new OnnxExporter(ExportOptions.builder().modelVersion(7).build()).export(student, out);

        assertEquals(out.toAbsolutePath(), r.file());
        assertEquals(Files.size(out), r.sizeBytes());
        assertArrayEquals(Files.readAllBytes(out), r.modelBytes());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList(), "only the model, no temporary file");
        }
        assertTrue(r.maxAbsDiff() <= ExportOptions.DEFAULT_TOLERANCE, "max abs diff " + r.maxAbsDiff());
        assertEquals(ExportOptions.DEFAULT_CHECK_SAMPLES, r.samplesCompared());

        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(8, m.getIrVersion());
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("edgekd", m.getProducerName());
        assertTrue(m.getProducerVersion().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "producer version " + m.getProducerVersion());
        assertEquals(OnnxExporter.producerVersion(), m.getProducerVersion());
        assertEquals(7, m.getModelVersion());
        assertTrue(m.getDocString().contains("student image classifier, 10 classes"), m.getDocString());
        assertTrue(m.getDocString().contains("float32 [batch, 1, 28, 28], gray"), m.getDocString());

        ModelSpec spec = ModelSpec.fromMetadata(metadata(m));
        assertEquals(r.spec(), spec);
        assertEquals(student.spec().toBuilder().batch(-1).build(), spec, "a plain export keeps the spec as it was");
        assertEquals(InputForm.FLOAT_NCHW, spec.inputForm());
        assertEquals(OutputKind.PROBABILITIES, spec.outputKind());
        assertNull(spec.logitsName());
        assertEquals("7", spec.provenance().get("seed"));

        OnnxMl.GraphProto g = m.getGraph();
        assertEquals(1, g.getInputCount(), "initializers are not listed as inputs");
        assertEquals("input", g.getInput(0).getName());
        assertEquals("batch,1,28,28", dims(g.getInput(0)));
        assertEquals(OnnxMl.TensorProto.DataType.FLOAT_VALUE, g.getInput(0).getType().getTensorType().getElemType());
        assertEquals(1, g.getOutputCount());
        assertEquals("probabilities", g.getOutput(0).getName());
        assertEquals("batch,10", dims(g.getOutput(0)));
        assertEquals("Softmax", g.getNode(g.getNodeCount() - 1).getOpType());

        // Folded: stem BN and the four pointwise BNs disappear into their convolutions.
        assertEquals(5, r.foldedBatchNorms());
        assertEquals(0, count(r.operators(), "BatchNormalization"));
        assertEquals(9, count(r.operators(), "Conv"));
        assertTrue(r.operators().contains("Clip"), "ReLU6 as Clip: " + r.operators());
        long grouped = g.getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .filter(n -> n.getAttributeList().stream().anyMatch(a -> a.getName().equals("group") && a.getI() > 1)).count();
        assertEquals(4, grouped, "depthwise convolutions");

        // The device opens it with nothing but the file, and runs it at any batch size.
        try (EdgeClassifier c = EdgeClassifier.open(out, EdgeOptions.builder().warmupRuns(0).build())) {
            Classification top = c.newResult(3);
            c.classify(new byte[28 * 28], 28, 28, PixelFormat.GRAY8, top);
            assertEquals(student.spec().labels(), c.labels());
            assertEquals(-1, c.fixedBatchSize());
            try (var runner = c.newRunner(5)) {
                runner.run();
            }
        }
    }

    @Test
    void keptBatchNormLogitsAndFusedInputAreRecorded(@TempDir Path dir) throws Exception {
        ExportResult r = new OnnxExporter(ExportOptions.builder().foldBatchNorm(false).logits(true).fusePreprocessing(true).build())
                .export(student, dir.resolve("student-fused.onnx"));
        assertEquals(0, r.foldedBatchNorms());
        assertEquals(5, count(r.operators(), "BatchNormalization"));
        assertEquals("Identity", r.operators().get(r.operators().size() - 1));

        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(r.modelBytes());
        ModelSpec spec = ModelSpec.fromMetadata(metadata(m));
        assertEquals(InputForm.UINT8_NHWC, spec.inputForm());
        assertEquals(PixelOrder.GRAY, spec.pixelOrder());
        assertEquals(ExportOptions.LOGITS_NAME, spec.logitsName());
        assertEquals(student.spec().normalization(), spec.normalization());

        OnnxMl.GraphProto g = m.getGraph();
        assertEquals("batch,28,28,1", dims(g.getInput(0)));
        assertEquals(OnnxMl.TensorProto.DataType.UINT8_VALUE, g.getInput(0).getType().getTensorType().getElemType());
        assertEquals(2, g.getOutputCount());
        assertEquals("probabilities", g.getOutput(0).getName());
        assertEquals("logits", g.getOutput(1).getName());
        assertEquals("batch,10", dims(g.getOutput(1)));
        assertTrue(m.getDocString().contains("uint8 [batch, 28, 28, 1]"), m.getDocString());

        // Logits and probabilities agree: softmax(logits) == probabilities.
        byte[] frames = new byte[2 * 28 * 28];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = (byte) (i * 31);
        }
        Map<String, float[]> out = ExportTestSupport.runBytes(r.modelBytes(), "input", frames, 2, 28, 28, 1);
        float[] z = out.get("logits");
        float[] p = out.get("probabilities");
        for (int b = 0; b < 2; b++) {
            double[] zz = new double[10];
            for (int j = 0; j < 10; j++) {
                zz[j] = z[b * 10 + j];
            }
            double[] s = ExportTestSupport.softmax(zz);
            for (int j = 0; j < 10; j++) {
                assertEquals(s[j], p[b * 10 + j], 1e-6);
            }
        }
    }

    @Test
    void anExistingFileIsReplaced(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.onnx");
        Files.writeString(out, "old");
        ExportResult r = new OnnxExporter(ExportOptions.builder().checkSamples(0).build()).export(student, out);
        assertArrayEquals(r.modelBytes(), Files.readAllBytes(out));
        assertTrue(Double.isNaN(r.maxAbsDiff()));
        assertEquals(0, r.samplesCompared());
        assertFalse(r.toString().isEmpty());
    }
}
