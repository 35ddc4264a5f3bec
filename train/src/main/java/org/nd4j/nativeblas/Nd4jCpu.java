package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Restores the class that Deeplearning4j 1.0.0-M2.1 looks up to decide whether its oneDNN layer helpers may run.
 *
 * <p>{@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper#mklDnnEnabled()} loads
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by name, calls its static {@code getInstance()} and then
 * {@code isUseMKLDNN()}. ND4J renamed that binding to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment#isUseONEDNN()}, so the lookup fails and every
 * convolution, batch-norm and pooling layer runs on the slow generic kernels. This class answers at the old name
 * and forwards to the new one (by reflection, so the CUDA backend, which lacks it, still compiles and runs).
 *
 * <p>{@code isUseONEDNN()} is true even in ND4J's plain native build; helpers there are twice as slow as none,
 * so this also requires {@code HAVE_ONEDNN} in the native build information.
 *
 * <p>It lives in ND4J's package, against edgekd's one-package-per-module rule, because that name is what
 * DL4J looks up; it works on the class path (not as a named module, where the package would be split).
 * See {@code io.edgekd.train.backend.TrainingBackend}, which switches the helpers on and proves they are active.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The environment singleton DL4J asks. Thread safety: stateless apart from a cached build flag. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private static volatile Boolean oneDnnBuild;

        private Environment() {
        }

        /** @return the singleton */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** @return whether the loaded ND4J native library was built with oneDNN */
        public static boolean isOneDnnBuild() {
            Boolean b = oneDnnBuild;
            if (b == null) {
                String info;
                try {
                    info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
                } catch (RuntimeException | LinkageError e) {
                    info = null;
                }
                b = info != null && info.contains("HAVE_ONEDNN");
                oneDnnBuild = b;
            }
            return b;
        }

        /** @return whether oneDNN helpers may be used: a oneDNN build with oneDNN switched on */
        public boolean isUseMKLDNN() {
            if (!isOneDnnBuild()) {
                return false;
            }
            try {
                Object env = binding().getMethod("getInstance").invoke(null);
                return (Boolean) binding().getMethod("isUseONEDNN").invoke(env);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return false;
            }
        }

        /** @param use whether ND4J may use oneDNN */
        public void setUseMKLDNN(boolean use) {
            try {
                Object env = binding().getMethod("getInstance").invoke(null);
                Method set = binding().getMethod("setUseONEDNN", boolean.class);
                set.invoke(env, use);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ND4J's CPU environment binding is not available: " + e, e);
            }
        }

        private static Class<?> binding() throws ClassNotFoundException {
            return Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
        }
    }
}
