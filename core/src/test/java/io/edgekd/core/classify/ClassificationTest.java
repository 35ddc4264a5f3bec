package io.edgekd.core.classify;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationTest {
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e");

    @Test
    void keepsTopKInOrder() {
        Classification top = new Classification(3, LABELS);
        top.fill(new float[] {0.1f, 0.4f, 0.05f, 0.3f, 0.15f}, 0, 5);
        assertEquals(3, top.size());
        assertEquals("b", top.label(0));
        assertEquals("d", top.label(1));
        assertEquals("e", top.label(2));
        assertEquals(0.4f, top.probability(0), 0f);
        assertEquals(4, top.index(2));
        assertEquals("Classification[b=0.4000, d=0.3000, e=0.1500]", top.toString());
    }

    @Test
    void tiesKeepLowerIndexFirst() {
        Classification top = new Classification(2, LABELS);
        top.fill(new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, 0, 5);
        assertEquals(0, top.index(0));
        assertEquals(1, top.index(1));
    }

    @Test
    void agreesWithSortingOnRandomInputs() {
        SplittableRandom r = new SplittableRandom(5);
        List<String> labels = IntStream.range(0, 37).mapToObj(i -> "c" + i).toList();
        for (int k = 1; k <= 37; k += 6) {
            Classification top = new Classification(k, labels);
            for (int trial = 0; trial < 50; trial++) {
                float[] p = new float[40];
                for (int i = 0; i < p.length; i++) {
                    p[i] = (float) r.nextDouble();
                }
                FloatBuffer buf = FloatBuffer.wrap(p);
                top.fill(buf, 3, 37);
                Integer[] order = IntStream.range(0, 37).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[3 + i]).thenComparingInt(i -> i));
                for (int rank = 0; rank < k; rank++) {
                    assertEquals(order[rank], top.index(rank));
                }
            }
        }
    }

    @Test
    void misuseIsReported() {
        assertThrows(IllegalArgumentException.class, () -> new Classification(0, LABELS));
        assertThrows(IllegalArgumentException.class, () -> new Classification(6, LABELS));
        Classification top = new Classification(2, LABELS);
        IndexOutOfBoundsException unfilled = assertThrows(IndexOutOfBoundsException.class, () -> top.label(0));
        assertTrue(unfilled.getMessage().contains("not been filled"));
        IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class, () -> top.fill(new float[4], 0, 4));
        assertTrue(wrongSize.getMessage().contains("expected 5"), wrongSize.getMessage());
        top.fill(new float[5], 0, 5);
        assertThrows(IndexOutOfBoundsException.class, () -> top.probability(2));
    }

    @Test
    void fillAllocatesNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Classification top = new Classification(3, LABELS);
        float[] p = {0.1f, 0.4f, 0.05f, 0.3f, 0.15f};
        FloatBuffer b = FloatBuffer.wrap(p);
        for (int i = 0; i < 1000; i++) {
            top.fill(p, 0, 5);
            top.fill(b, 0, 5);
            Softmax.inPlace(p, 0, 5);
        }
        long tid = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 10_000; i++) {
            top.fill(p, 0, 5);
            top.fill(b, 0, 5);
            Softmax.inPlace(p, 0, 5);
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 30,000 calls");
    }

    @Test
    void fillForAModelRefusesOtherLabelsAndAdoptsEqualOnes() {
        List<String> model = List.copyOf(LABELS);
        List<String> renamed = new java.util.ArrayList<>(LABELS);
        renamed.set(2, "other");
        Classification foreign = new Classification(2, renamed);
        float[] p = {0.1f, 0.4f, 0.05f, 0.3f, 0.15f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> foreign.fill(p, 0, model));
        assertTrue(e.getMessage().contains(model.toString()) && e.getMessage().contains(renamed.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> foreign.fill(FloatBuffer.wrap(p), 0, model));
        assertEquals(0, foreign.size(), "nothing filled");
        assertTrue(!foreign.isFor(model));

        Classification equal = new Classification(2, new java.util.ArrayList<>(LABELS));
        equal.fill(p, 0, model);
        assertSame(model, equal.labels(), "an equal list is adopted, so later checks compare references");
        assertEquals(1, equal.index(0));
        assertTrue(equal.isFor(model));
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> equal.fill(p, 0, List.of("a", "b")));
        assertTrue(count.getMessage().contains("expected 5"), count.getMessage());
    }
}
