package io.edgekd.core.spec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The precision and calibration keys: optional, float32 when absent, int8 only with a complete calibration. */
class PrecisionSpecTest {
    private static ModelSpec.Builder base() {
        return ModelSpec.builder().labels(List.of("a", "b", "c")).input(1, 28, 28);
    }

    @Test
    void aSpecWithoutPrecisionKeysIsFloat32AndWritesNone() throws Exception {
        ModelSpec spec = base().build();
        assertEquals(Precision.FLOAT32, spec.precision());
        assertNull(spec.calibration());
        Map<String, String> meta = spec.toMetadata();
        assertFalse(meta.containsKey(ModelSpec.KEY_PRECISION), meta.toString());
        assertTrue(meta.keySet().stream().noneMatch(k -> k.startsWith("edgekd.calibration.")), meta.toString());
        ModelSpec back = ModelSpec.fromMetadata(meta);
        assertEquals(Precision.FLOAT32, back.precision());
        assertEquals(spec, back);
    }

    @Test
    void int8WithCalibrationRoundTrips() throws Exception {
        Calibration cal = new Calibration(Calibration.Method.ENTROPY, 500, "sha256:0123abcd");
        ModelSpec spec = base().precision(Precision.INT8).calibration(cal).build();
        Map<String, String> meta = spec.toMetadata();
        assertEquals("int8", meta.get("edgekd.precision"));
        assertEquals("entropy", meta.get("edgekd.calibration.method"));
        assertEquals("500", meta.get("edgekd.calibration.images"));
        assertEquals("sha256:0123abcd", meta.get("edgekd.calibration.data_fingerprint"));
        ModelSpec back = ModelSpec.fromMetadata(meta);
        assertEquals(spec, back);
        assertEquals(Precision.INT8, back.precision());
        assertEquals(cal, back.calibration());
        assertTrue(back.extraMetadata().isEmpty(), back.extraMetadata().toString());
        assertTrue(back.toString().contains("int8 (entropy calibration, 500 images)"), back.toString());
    }

    @Test
    void unsignedActivationsRoundTripAndSymmetricWritesNoKey() throws Exception {
        Calibration symmetric = new Calibration(Calibration.Method.MINMAX, 64, "f");
        assertEquals(Calibration.Activations.SYMMETRIC, symmetric.activations());
        Map<String, String> meta = base().precision(Precision.INT8).calibration(symmetric).build().toMetadata();
        assertFalse(meta.containsKey(ModelSpec.KEY_CALIBRATION_ACTIVATIONS), meta.toString());

        Calibration unsigned = new Calibration(Calibration.Method.MINMAX, 64, "f", Calibration.Activations.UNSIGNED);
        ModelSpec spec = base().precision(Precision.INT8).calibration(unsigned).build();
        meta = spec.toMetadata();
        assertEquals("unsigned", meta.get("edgekd.calibration.activations"));
        ModelSpec back = ModelSpec.fromMetadata(meta);
        assertEquals(unsigned, back.calibration());
        assertEquals(spec, back);
        assertTrue(back.extraMetadata().isEmpty(), back.extraMetadata().toString());
        assertTrue(back.toString().contains("int8 (minmax calibration, 64 images, unsigned activations)"), back.toString());

        Map<String, String> bad = new java.util.LinkedHashMap<>(meta);
        bad.put(ModelSpec.KEY_CALIBRATION_ACTIVATIONS, "asymmetric");
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(bad));
        assertTrue(e.getMessage().contains("[symmetric, unsigned]") && e.getMessage().contains("'asymmetric'"), e.getMessage());

        Map<String, String> alone = new java.util.LinkedHashMap<>(base().build().toMetadata());
        alone.put(ModelSpec.KEY_CALIBRATION_ACTIVATIONS, "unsigned");
        e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(alone));
        assertTrue(e.getMessage().contains("edgekd.calibration.activations") && e.getMessage().contains("alone"), e.getMessage());

        assertEquals(Calibration.Activations.UNSIGNED, Calibration.Activations.parse(" Unsigned"));
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> Calibration.Activations.parse("u8"));
        assertTrue(iae.getMessage().contains("expected one of symmetric, unsigned, found 'u8'"), iae.getMessage());
    }

    @Test
    void float16RoundTripsWithoutCalibration() throws Exception {
        ModelSpec spec = base().precision(Precision.FLOAT16).build();
        assertEquals("float16", spec.toMetadata().get(ModelSpec.KEY_PRECISION));
        assertEquals(spec, ModelSpec.fromMetadata(spec.toMetadata()));
    }

    @Test
    void int8NeedsACalibrationAndFloatsRefuseOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base().precision(Precision.INT8).build());
        assertTrue(e.getMessage().contains("expected how the int8 scales were chosen"), e.getMessage());
        Calibration cal = new Calibration(Calibration.Method.MINMAX, 10, "f");
        e = assertThrows(IllegalArgumentException.class, () -> base().precision(Precision.FLOAT16).calibration(cal).build());
        assertTrue(e.getMessage().contains("expected none for a float16 model"), e.getMessage());
    }

    @Test
    void malformedOrPartialCalibrationKeysAreRefusedByName() {
        Map<String, String> good = base().precision(Precision.INT8)
                .calibration(new Calibration(Calibration.Method.PERCENTILE, 64, "f")).build().toMetadata();

        Map<String, String> m = new java.util.LinkedHashMap<>(good);
        m.put(ModelSpec.KEY_CALIBRATION_IMAGES, "many");
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(m));
        assertTrue(e.getMessage().contains("edgekd.calibration.images") && e.getMessage().contains("'many'"), e.getMessage());

        Map<String, String> partial = new java.util.LinkedHashMap<>(good);
        partial.remove(ModelSpec.KEY_CALIBRATION_DATA);
        e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(partial));
        assertTrue(e.getMessage().contains("edgekd.calibration.data_fingerprint"), e.getMessage());

        Map<String, String> method = new java.util.LinkedHashMap<>(good);
        method.put(ModelSpec.KEY_CALIBRATION_METHOD, "kl");
        e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(method));
        assertTrue(e.getMessage().contains("[minmax, percentile, entropy]") && e.getMessage().contains("'kl'"), e.getMessage());

        Map<String, String> precision = new java.util.LinkedHashMap<>(good);
        precision.put(ModelSpec.KEY_PRECISION, "int4");
        e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(precision));
        assertTrue(e.getMessage().contains("[float32, float16, int8]"), e.getMessage());

        Map<String, String> uncalibrated = new java.util.LinkedHashMap<>(good);
        uncalibrated.remove(ModelSpec.KEY_CALIBRATION_METHOD);
        uncalibrated.remove(ModelSpec.KEY_CALIBRATION_IMAGES);
        uncalibrated.remove(ModelSpec.KEY_CALIBRATION_DATA);
        e = assertThrows(ModelSpecException.class, () -> ModelSpec.fromMetadata(uncalibrated));
        assertTrue(e.getMessage().contains("int8"), e.getMessage());
    }

    @Test
    void calibrationMethodsParseTheirKeys() {
        assertEquals(Calibration.Method.MINMAX, Calibration.Method.parse("minmax"));
        assertEquals(Calibration.Method.PERCENTILE, Calibration.Method.parse(" Percentile "));
        assertEquals(Calibration.Method.ENTROPY, Calibration.Method.parse("ENTROPY"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calibration.Method.parse("kl"));
        assertTrue(e.getMessage().contains("expected one of minmax, percentile, entropy, found 'kl'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Calibration(Calibration.Method.MINMAX, 0, "f"));
        assertThrows(IllegalArgumentException.class, () -> new Calibration(Calibration.Method.MINMAX, 1, " "));
    }
}
