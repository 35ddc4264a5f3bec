package io.edgekd.core.spec;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSpecTest {

    static ModelSpec colourSpec() {
        return ModelSpec.builder()
                .labels(List.of("cat", "dog, \"big\"", "bird\\with\nnewline", "ünïcödé"))
                .input(3, 64, 48)
                .batch(-1)
                .pixelOrder(PixelOrder.BGR)
                .normalization(Normalization.of(1f / 255f, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}))
                .resizeMode(ResizeMode.CENTER_CROP)
                .inputForm(InputForm.UINT8_NHWC)
                .inputName("frames")
                .outputName("probs")
                .outputKind(OutputKind.PROBABILITIES)
                .logitsName("logits")
                .role(ModelRole.STUDENT)
                .provenance("seed", "42")
                .provenance("data.fingerprint", "abc123")
                .provenance("metrics.accuracy", "0.9312")
                .build();
    }

    @Test
    void roundTripsExactly() throws Exception {
        ModelSpec spec = colourSpec();
        Map<String, String> meta = spec.toMetadata();
        assertEquals("1", meta.get("edgekd.spec.version"));
        assertEquals("-1,3,64,48", meta.get("edgekd.input.shape"));
        assertEquals("bgr", meta.get("edgekd.input.pixel_order"));
        assertEquals("42", meta.get("edgekd.provenance.seed"));
        ModelSpec back = ModelSpec.fromMetadata(meta);
        assertEquals(spec, back);
        assertEquals(spec.labels(), back.labels());
        assertEquals(spec.normalization().mean(1), back.normalization().mean(1), 0f);
        assertEquals(meta, back.toMetadata());
    }

    @Test
    void grayDefaultsRoundTrip() throws Exception {
        ModelSpec spec = ModelSpec.builder().labels(List.of("a", "b")).input(1, 28, 28).build();
        assertEquals(PixelOrder.GRAY, spec.pixelOrder());
        assertEquals(InputForm.FLOAT_NCHW, spec.inputForm());
        assertEquals(ModelRole.OTHER, spec.role());
        assertEquals(784, spec.imageSize());
        assertEquals(spec, ModelSpec.fromMetadata(spec.toMetadata()));
        assertNull(spec.logitsName());
    }

    @Test
    void tensorShapeFollowsForm() {
        ModelSpec spec = colourSpec();
        assertEquals(List.of(8L, 64L, 48L, 3L), List.of(box(spec.inputTensorShape(8))));
        ModelSpec nchw = spec.toBuilder().inputForm(InputForm.FLOAT_NCHW).batch(2).build();
        assertEquals(List.of(2L, 3L, 64L, 48L), List.of(box(nchw.inputTensorShape(8))));
    }

    private static Long[] box(long[] a) {
        Long[] b = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @Test
    void unknownKeysSurvive() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>(colourSpec().toMetadata());
        meta.put("edgekd.future.key", "x");
        meta.put("author", "someone");
        ModelSpec back = ModelSpec.fromMetadata(meta);
        assertEquals("x", back.extraMetadata().get("edgekd.future.key"));
        assertEquals("someone", back.extraMetadata().get("author"));
        Map<String, String> again = back.toMetadata();
        assertEquals("x", again.get("edgekd.future.key"));
        assertEquals("someone", again.get("author"));
        assertEquals(meta.keySet(), again.keySet());
    }

    @Test
    void isPresentLooksForTheVersionKey() {
        assertTrue(ModelSpec.isPresent(colourSpec().toMetadata()));
        assertFalse(ModelSpec.isPresent(Map.of("author", "x")));
    }

    @Test
    void missingRequiredKeyNamesIt() {
        for (String key : List.of(ModelSpec.KEY_VERSION, ModelSpec.KEY_LABELS, ModelSpec.KEY_INPUT_NAME, ModelSpec.KEY_INPUT_FORM,
                ModelSpec.KEY_INPUT_SHAPE, ModelSpec.KEY_PIXEL_ORDER, ModelSpec.KEY_SCALE, ModelSpec.KEY_MEAN, ModelSpec.KEY_STD,
                ModelSpec.KEY_OUTPUT_NAME, ModelSpec.KEY_OUTPUT_KIND)) {
            Map<String, String> meta = new HashMap<>(colourSpec().toMetadata());
            meta.remove(key);
            ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(meta), key);
            assertEquals(key, e.key());
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void optionalKeysHaveDefaults() throws Exception {
        Map<String, String> meta = new HashMap<>(colourSpec().toMetadata());
        meta.remove(ModelSpec.KEY_ROLE);
        meta.remove(ModelSpec.KEY_RESIZE);
        meta.remove(ModelSpec.KEY_LOGITS_NAME);
        ModelSpec spec = ModelSpec.fromMetadata(meta);
        assertEquals(ModelRole.OTHER, spec.role());
        assertEquals(ResizeMode.STRETCH, spec.resizeMode());
        assertNull(spec.logitsName());
    }

    @Test
    void malformedValuesNameKeyAndValue() {
        assertMalformed(ModelSpec.KEY_VERSION, "one", "'one'");
        assertMalformed(ModelSpec.KEY_VERSION, "2", "found 2");
        assertMalformed(ModelSpec.KEY_INPUT_SHAPE, "-1,3,64", "'-1,3,64'");
        assertMalformed(ModelSpec.KEY_INPUT_SHAPE, "-1,3,x,48", "'-1,3,x,48'");
        assertMalformed(ModelSpec.KEY_INPUT_SHAPE, "-1,3,0,48", "'-1,3,0,48'");
        assertMalformed(ModelSpec.KEY_INPUT_SHAPE, "0,3,64,48", "'0,3,64,48'");
        assertMalformed(ModelSpec.KEY_INPUT_SHAPE, "-1,2,64,48", "found 2");
        assertMalformed(ModelSpec.KEY_PIXEL_ORDER, "cmyk", "'cmyk'");
        assertMalformed(ModelSpec.KEY_PIXEL_ORDER, "gray", "gray");
        assertMalformed(ModelSpec.KEY_INPUT_FORM, "float_nhwc", "'float_nhwc'");
        assertMalformed(ModelSpec.KEY_OUTPUT_KIND, "boxes", "'boxes'");
        assertMalformed(ModelSpec.KEY_ROLE, "parent", "'parent'");
        assertMalformed(ModelSpec.KEY_SCALE, "1/255", "'1/255'");
        assertMalformed(ModelSpec.KEY_MEAN, "0.5,0.5", "found 2");
        assertMalformed(ModelSpec.KEY_MEAN, "0.5,a,0.5", "'0.5,a,0.5'");
        assertMalformed(ModelSpec.KEY_STD, "0.2,0,0.2", "std[1]");
        assertMalformed(ModelSpec.KEY_LABELS, "cat,dog", "'cat,dog'");
        assertMalformed(ModelSpec.KEY_LABELS, "[\"cat\"]", "at least 2");
        assertMalformed(ModelSpec.KEY_LABELS, "[\"cat\",\"cat\"]", "twice");
        assertMalformed(ModelSpec.KEY_LABELS, "[\"cat\",\"dog\"", "found end of text");
        assertMalformed(ModelSpec.KEY_INPUT_NAME, " ", "non-empty");
        assertMalformed(ModelSpec.KEY_LOGITS_NAME, "probs", "other than the output name");
    }

    private static void assertMalformed(String key, String value, String expectedInMessage) {
        Map<String, String> meta = new HashMap<>(colourSpec().toMetadata());
        meta.put(key, value);
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(meta), key + "=" + value);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void builderRejectsInconsistentValues() {
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a", "b")).input(2, 8, 8).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a", "b")).input(1, 0, 8).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a")).input(1, 8, 8).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a", " ")).input(1, 8, 8).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder().labels(List.of("a", "b")).input(1, 8, 8).pixelOrder(PixelOrder.RGB).build());
        assertTrue(e.getMessage().contains("expected an order with 1 channel(s), found rgb"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a", "b")).input(1, 8, 8)
                .normalization(Normalization.unit(3)).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().labels(List.of("a", "b")).input(1, 8, 8).batch(0).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder().provenance("", "x"));
    }

    @Test
    void normalizationFoldsIntoMultiplyAdd() {
        Normalization n = Normalization.of(1f / 255f, new float[] {0.5f}, new float[] {0.25f});
        for (int v = 0; v < 256; v += 17) {
            assertEquals(n.apply(v, 0), v * n.multiplier(0) + n.offset(0), 1e-5f);
        }
        assertEquals((200 / 255f - 0.5f) / 0.25f, n.apply(200, 0), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(1f, new float[] {0f}, new float[] {-1f}));
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(1f, new float[] {0f, 0f}, new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(0f, new float[] {0f}, new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(1f, new float[] {Float.NaN}, new float[] {1f}));
    }
}
