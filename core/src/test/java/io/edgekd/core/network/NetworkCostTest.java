package io.edgekd.core.network;

import io.edgekd.core.network.LayerSpec.PaddingMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkCostTest {
    private static LayerSpec.Conv2d conv(int out, int k, int s, PaddingMode mode, int pad, int groups) {
        return new LayerSpec.Conv2d(out, k, k, s, s, 1, 1, mode, pad, pad, groups, true);
    }

    @Test
    void handCountedSmallNetwork() {
        // 1x28x28 -> conv 3x3 same 8 -> BN -> ReLU -> maxpool 2 -> depthwise 3x3 s2 -> pointwise 16 -> GAP -> dense 10
        List<LayerSpec> layers = List.of(
                conv(8, 3, 1, PaddingMode.SAME, 0, 1),
                new LayerSpec.BatchNorm(8, 1e-5),
                new LayerSpec.Activation(LayerSpec.ActivationKind.RELU, 0),
                new LayerSpec.Pool2d(LayerSpec.PoolKind.MAX, 2, 2, 2, 2, PaddingMode.EXPLICIT, 0, 0),
                conv(8, 3, 2, PaddingMode.SAME, 0, 8),
                conv(16, 1, 1, PaddingMode.EXPLICIT, 0, 1),
                new LayerSpec.GlobalPool(LayerSpec.PoolKind.AVG),
                new LayerSpec.Dense(10, true));
        NetworkCost cost = NetworkCost.of(layers, 1, 28, 28);
        List<NetworkCost.Row> r = cost.rows();
        assertEquals(28 * 28 * 8 * 9, r.get(0).macs());
        assertEquals(8 * 9 + 8, r.get(0).params());
        assertEquals(32, r.get(1).params());
        assertEquals(14, r.get(3).height());
        assertEquals(7, r.get(4).height());
        assertEquals(7 * 7 * 8 * 9, r.get(4).macs());
        assertEquals(8 * 9 + 8, r.get(4).params());
        assertEquals(7 * 7 * 16 * 8, r.get(5).macs());
        assertEquals(16, r.get(6).channels());
        assertEquals(1, r.get(6).height());
        assertEquals(160, r.get(7).macs());
        assertEquals(170, r.get(7).params());
        long macs = 28 * 28 * 8 * 9 + 7 * 7 * 8 * 9 + 7 * 7 * 16 * 8 + 160;
        assertEquals(macs, cost.totalMacs());
        assertEquals(80 + 32 + 80 + (16 * 8 + 16) + 170, cost.totalParams());
        assertTrue(cost.toTable().contains("total"));
    }

    @Test
    void outputSizesFollowPaddingModes() {
        assertEquals(4, NetworkCost.outputSize(7, 3, 2, 1, PaddingMode.SAME, 0));
        assertEquals(112, NetworkCost.outputSize(224, 7, 2, 1, PaddingMode.SAME, 0));
        assertEquals(3, NetworkCost.outputSize(7, 3, 2, 1, PaddingMode.EXPLICIT, 0));
        assertEquals(4, NetworkCost.outputSize(7, 3, 2, 1, PaddingMode.EXPLICIT, 1));
        assertEquals(3, NetworkCost.outputSize(7, 3, 1, 2, PaddingMode.EXPLICIT, 0));
        assertArrayEquals(new int[] {1, 2}, NetworkCost.samePadding(5, 4, 1, 1));
        assertArrayEquals(new int[] {0, 1}, NetworkCost.samePadding(4, 2, 1, 1));
        assertArrayEquals(new int[] {0, 1}, NetworkCost.samePadding(4, 3, 2, 1));
        assertArrayEquals(new int[] {1, 1}, NetworkCost.samePadding(28, 3, 1, 1));
    }

    @Test
    void inconsistentNetworksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> NetworkCost.of(List.of(conv(8, 5, 1, PaddingMode.EXPLICIT, 0, 1)), 1, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> NetworkCost.of(List.of(conv(8, 3, 1, PaddingMode.SAME, 0, 3)), 4, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> NetworkCost.of(List.of(new LayerSpec.BatchNorm(3, 1e-5)), 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> NetworkCost.of(List.of(new LayerSpec.GlobalPool(LayerSpec.PoolKind.AVG),
                conv(8, 3, 1, PaddingMode.SAME, 0, 1)), 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> conv(0, 3, 1, PaddingMode.SAME, 0, 1));
    }
}
