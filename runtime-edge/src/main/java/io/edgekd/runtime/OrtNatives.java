package io.edgekd.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import io.edgekd.core.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Loads ONNX Runtime the way a device wants it: native libraries unpacked once into a cache folder instead of
 * a new temporary folder per process, and telemetry switched off.
 *
 * <p>ONNX Runtime 1.29's Java binding unpacks {@code libonnxruntime.so} (about 30 MB) into a fresh
 * {@code onnxruntime-java*} folder under {@code java.io.tmpdir} in every process and leaves the folder behind;
 * a killed process leaves the libraries too. Pointing {@code onnxruntime.native.path} at a folder that already
 * holds them avoids both. Its telemetry is on by default on Linux; only the environment variable
 * {@code ORT_DISABLE_TELEMETRY=1}, set before the JVM starts, stops the files it writes into {@code $TMPDIR}
 * and {@code ~/.cache} — so this class warns once when the variable is missing. The same telemetry crashes
 * the JVM when the command line is long and the stack is the default one; the environment is therefore
 * created on a thread with a large stack (see {@link #createOnLargeStack()}), with or without the variable.
 *
 * <p>Thread safety: {@link #environment(EdgeOptions)} is synchronized; any thread may call it.
 */
final class OrtNatives {
    private static final System.Logger LOG = System.getLogger(OrtNatives.class.getName());
    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    static final String CACHE_PROPERTY = "edgekd.native.cache";

    private static OrtEnvironment environment;

    private OrtNatives() {
    }

    /**
     * @param options the first caller's options decide the native library handling for the process
     * @return the process-wide ONNX Runtime environment
     */
    static synchronized OrtEnvironment environment(EdgeOptions options) {
        if (environment != null) {
            return environment;
        }
        if (options.extractNativeLibraries() && System.getProperty(NATIVE_PATH_PROPERTY) == null) {
            try {
                Path dir = unpack(cacheRoot(options));
                if (dir != null) {
                    System.setProperty(NATIVE_PATH_PROPERTY, dir.toString());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot use the native library cache (" + e
                        + "); ONNX Runtime unpacks its libraries into a temporary folder instead");
            }
        }
        OrtEnvironment env = createOnLargeStack();
        if (!telemetryDisabledByEnvironment(System.getenv("ORT_DISABLE_TELEMETRY"))) {
            LOG.log(System.Logger.Level.WARNING, "ORT_DISABLE_TELEMETRY is not set: ONNX Runtime's telemetry writes "
                    + "files into $TMPDIR and ~/.cache/Microsoft; start the JVM with ORT_DISABLE_TELEMETRY=1 to stop it");
        }
        environment = env;
        return env;
    }

    /**
     * Creates the environment on a thread of its own whose stack grows with the process's command line, and
     * switches telemetry off there.
     *
     * <p>Why: ONNX Runtime 1.29's POSIX telemetry, on by default, runs regular expressions over the process's
     * command line while it creates the first environment, and the C++ standard library's regex engine
     * recurses once per character. Measured with {@code OrtEnvironment.getEnvironment()} (x86_64, JDK 17): a
     * command line of 5.9 KB needs a 2 MB thread stack, 18.5 KB needs 8 MB, 55 KB 16 MB, 111 KB 32 MB,
     * 400 KB 128 MB (96 MB is not enough) — about 250–430 bytes of stack per byte; past that the JVM dies
     * with SIGSEGV and no error file. The default Java stack is 1 MB, so a Maven, Gradle or IDE classpath is
     * enough to crash a plain {@code main()}. Sessions and runs afterwards needed no more than 160 KB of
     * stack on any thread (measured with a 20 KB command line, 700 KB of model metadata, and failing
     * creates and runs), so only this call moves to another thread.
     */
    private static OrtEnvironment createOnLargeStack() {
        long stack = environmentStackBytes(commandLineBytes());
        OrtEnvironment[] made = new OrtEnvironment[1];
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "edgekd");
                try {
                    env.setTelemetry(false);
                } catch (OrtException e) {
                    LOG.log(System.Logger.Level.DEBUG, "ONNX Runtime refused to switch telemetry off: " + e.getMessage());
                }
                made[0] = env;
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "edgekd-onnxruntime-init", stack);
        t.setDaemon(true);
        try {
            t.start();
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("cannot start a thread with a " + (stack >> 20) + " MB stack to create the ONNX Runtime "
                    + "environment (needed because telemetry parses this process's " + commandLineBytes() + "-byte command line "
                    + "recursively); start the JVM with ORT_DISABLE_TELEMETRY=1 or a shorter command line", e);
        }
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failed[0] instanceof Error e) {
            throw e;
        }
        if (failed[0] != null) {
            throw new IllegalStateException("cannot create the ONNX Runtime environment: " + failed[0], failed[0]);
        }
        return made[0];
    }

    /** Stack for the environment's thread: 16 MB plus 1 KB per byte of command line (over twice the need measured). */
    static long environmentStackBytes(long commandLineBytes) {
        return (16L << 20) + 1024L * Math.max(0, commandLineBytes);
    }

    /**
     * @return the length of this process's command line in bytes ({@code /proc/self/cmdline} on Linux, what
     *         {@link ProcessHandle} reports elsewhere, else the class and module paths), never negative
     */
    static long commandLineBytes() {
        try {
            Path proc = Path.of("/proc/self/cmdline");
            if (Files.isReadable(proc)) {
                return Files.readAllBytes(proc).length;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read /proc/self/cmdline: " + e);
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        long n = info.command().map(String::length).orElse(0);
        String[] args = info.arguments().orElse(null);
        if (args != null) {
            for (String a : args) {
                n += a.length() + 1;
            }
            return n;
        }
        return n + length(System.getProperty("java.class.path")) + length(System.getProperty("jdk.module.path"))
                + length(System.getProperty("sun.java.command"));
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }

    static boolean telemetryDisabledByEnvironment(String value) {
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    static Path cacheRoot(EdgeOptions options) {
        if (options.nativeLibraryCache() != null) {
            return options.nativeLibraryCache();
        }
        String prop = System.getProperty(CACHE_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "edgekd");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "edgekd");
    }

    /** ONNX Runtime's name for this platform's folder inside its jar, or null when it has none. */
    static String platformFolder(String osName, String arch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String a = arch.toLowerCase(Locale.ROOT);
        String cpu = switch (a) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (cpu == null) {
            return null;
        }
        if (os.contains("linux")) {
            return "linux-" + cpu;
        }
        if (os.contains("mac")) {
            return "osx-" + cpu;
        }
        return null;
    }

    /**
     * Copies the platform's libraries from ONNX Runtime's jar into {@code root/<jar name>/<platform>} unless
     * files of the same size are already there. Each file is copied to a temporary name and moved into place,
     * so concurrent processes and interrupted copies never leave a half-written library.
     *
     * @return the folder to point ONNX Runtime at, or null when the jar has no libraries for this platform
     */
    static Path unpack(Path root) throws IOException {
        String platform = platformFolder(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (platform == null) {
            return null;
        }
        ClassLoader loader = OrtNatives.class.getClassLoader();
        String prefix = "ai/onnxruntime/native/" + platform + "/";
        // The first two are required; GPU builds also carry the provider libraries, which must sit beside them.
        List<String> libs = platform.startsWith("osx")
                ? List.of("libonnxruntime.dylib", "libonnxruntime4j_jni.dylib")
                : List.of("libonnxruntime.so", "libonnxruntime4j_jni.so", "libonnxruntime_providers_shared.so",
                "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_tensorrt.so");
        URL main = loader.getResource(prefix + libs.get(0));
        if (main == null) {
            return null;
        }
        Path dir = root.resolve(jarName(main)).resolve(platform);
        Files.createDirectories(dir);
        for (int i = 0; i < libs.size(); i++) {
            String lib = libs.get(i);
            URL url = loader.getResource(prefix + lib);
            if (url == null) {
                if (i < 2) {
                    return null;
                }
                continue;
            }
            URLConnection conn = url.openConnection();
            conn.setUseCaches(false);
            long size = conn.getContentLengthLong();
            Path target = dir.resolve(lib);
            if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
                conn.getInputStream().close();
                continue;
            }
            AtomicFiles.write(target, tmp -> {
                try (InputStream in = conn.getInputStream()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
            });
        }
        return dir;
    }

    /** {@code onnxruntime-1.29.0} for {@code jar:file:/.../onnxruntime-1.29.0.jar!/...}; a safe fallback otherwise. */
    static String jarName(URL resource) {
        String s = resource.toString();
        int bang = s.indexOf("!/");
        if (s.startsWith("jar:") && bang > 0) {
            String jar = s.substring(0, bang);
            String name = jar.substring(jar.lastIndexOf('/') + 1);
            if (name.endsWith(".jar")) {
                name = name.substring(0, name.length() - 4);
            }
            return name.replaceAll("[^A-Za-z0-9._-]", "_");
        }
        return "onnxruntime-unpacked";
    }
}
