package io.edgekd.examples.camera;

import io.edgekd.examples.output.OutputUri;
import io.edgekd.examples.source.Flip;
import io.edgekd.runtime.ExecutionProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The camera demo's command line, with jetson-inference's flag names:
 *
 * <pre>
 * java -jar edgekd-camera.jar --model student.onnx [input_URI] [output_URI] [--headless] [--top 3] [--threads N]
 *      [--provider tensorrt,cuda,cpu] [--input-width W --input-height H --input-rate R] [--input-codec F]
 *      [--input-flip METHOD] [--input-loop N] [--input-timeout S] [--input-credentials FILE] [--log predictions.jsonl] [--stats S]
 * </pre>
 *
 * <p>Thread safety: immutable once parsed.
 *
 * @param model        the ONNX model
 * @param input        the input URI as given (null: {@code csi://0})
 * @param output       the output, or null for none
 * @param top          classes shown and logged
 * @param threads      ONNX Runtime intra-op threads
 * @param providers    execution providers in order of preference
 * @param inputWidth   requested capture width, 0 for the default
 * @param inputHeight  requested capture height, 0 for the default
 * @param inputRate    requested frame rate, 0 for the default
 * @param inputCodec   the V4L2 format to ask the camera for ({@code mjpeg}, {@code yuyv422}, {@code h264}), or null
 * @param flip         flip method
 * @param loops        {@code --input-loop}
 * @param timeout      seconds without a frame (and the network socket timeout)
 * @param credentials  file holding {@code user:pass} for a network input, or null
 * @param log          JSON lines file, or null
 * @param statsSeconds report interval, 0 for none
 */
public record DemoOptions(Path model, String input, OutputUri output, int top, int threads, List<ExecutionProvider> providers,
                          int inputWidth, int inputHeight, double inputRate, String inputCodec, Flip flip, int loops, double timeout, Path credentials,
                          Path log, double statsSeconds) {
    /** The usage text. */
    public static final String USAGE = String.join("\n",
            "usage: java -jar edgekd-camera.jar --model MODEL.onnx [input_URI] [output_URI] [options]",
            "  input_URI   csi://0 (default), v4l2:///dev/video0, /dev/video0, file://video.mp4, a path, file://dir/,",
            "              rtsp://[user:pass@]host:port/path (credentials also from $EDGEKD_INPUT_CREDENTIALS or --input-credentials)",
            "  output_URI  display://0 (default unless --headless), file://out.mp4, file://frame_%i.jpg",
            "  --headless               no window",
            "  --top K                  classes shown and logged (3)",
            "  --threads N              inference threads (1)",
            "  --provider LIST          tensorrt,cuda,cpu in order of preference (cpu)",
            "  --input-width W --input-height H --input-rate R   camera mode (csi: 1280x720 at 30)",
            "  --input-codec FORMAT     V4L2 cameras: mjpeg, yuyv422, h264 (the camera's default)",
            "  --input-flip METHOD      none, horizontal, vertical, rotate-180 (csi also: clockwise, counterclockwise, ...)",
            "  --input-loop N           files: -1 forever, 0 once (default), N more times",
            "  --input-timeout S        seconds without a frame before giving up; also the network timeout (10)",
            "  --input-credentials FILE a file holding user:pass for the network input",
            "  --log FILE               JSON lines: frame, time, top-k with probabilities, inference ms",
            "  --stats S                print stage times and FPS every S seconds (5; 0: only at exit)",
            "exit codes: 0 done, 1 internal error, 2 usage, 3 model, 4 input cannot be opened, 5 input failed, 6 output;",
            "            Ctrl-C / SIGTERM stop cleanly (the video is finalised) with 130 / 143");

    /**
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException with a message naming the bad argument
     */
    public static DemoOptions parse(String... args) {
        Path model = null;
        List<String> positional = new ArrayList<>();
        boolean headless = false;
        int top = 3;
        int threads = 1;
        List<ExecutionProvider> providers = List.of(ExecutionProvider.CPU);
        int w = 0;
        int h = 0;
        double rate = 0;
        String codec = null;
        Flip flip = Flip.NONE;
        int loops = 0;
        double timeout = 10;
        Path credentials = null;
        Path log = null;
        double stats = 5;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            if (a.startsWith("--") && a.contains("=")) {
                value = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            if (a.equals("--headless")) {
                headless = true;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": expected a value");
                }
                value = args[++i];
            }
            switch (a) {
                case "--model" -> model = Path.of(value);
                case "--top" -> top = positiveInt(a, value);
                case "--threads" -> threads = positiveInt(a, value);
                case "--provider" -> providers = providers(value);
                case "--input-width" -> w = positiveInt(a, value);
                case "--input-height" -> h = positiveInt(a, value);
                case "--input-rate" -> rate = positiveDouble(a, value);
                case "--input-flip" -> flip = Flip.parse(value);
                case "--input-codec" -> {
                    if (!value.matches("[a-z0-9_]+")) {
                        throw new IllegalArgumentException("--input-codec: expected a V4L2 format name such as mjpeg or yuyv422, found '" + value + "'");
                    }
                    codec = value;
                }
                case "--input-loop" -> {
                    loops = integer(a, value);
                    if (loops < -1) {
                        throw new IllegalArgumentException("--input-loop: expected -1 (forever), 0 (once) or more, found " + value);
                    }
                }
                case "--input-timeout" -> timeout = positiveDouble(a, value);
                case "--input-credentials" -> credentials = Path.of(value);
                case "--log" -> log = Path.of(value);
                case "--stats" -> {
                    stats = Double.parseDouble(value);
                    if (stats < 0) {
                        throw new IllegalArgumentException("--stats: expected seconds, 0 or more, found " + value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model: expected the ONNX model to run");
        }
        if (positional.size() > 2) {
            throw new IllegalArgumentException("expected at most an input and an output URI, found " + positional.size() + " arguments");
        }
        if ((w > 0) != (h > 0)) {
            throw new IllegalArgumentException("--input-width and --input-height go together");
        }
        String input = positional.isEmpty() ? null : positional.get(0);
        OutputUri output = positional.size() > 1 ? OutputUri.parse(positional.get(1)) : null;
        if (output == null && !headless) {
            output = OutputUri.parse("display://0");
        }
        if (headless && output != null && output.kind() == OutputUri.Kind.DISPLAY) {
            output = null;
        }
        return new DemoOptions(model, input, output, top, threads, providers, w, h, rate, codec, flip, loops, timeout, credentials, log, stats);
    }

    private static List<ExecutionProvider> providers(String v) {
        List<ExecutionProvider> list = new ArrayList<>();
        for (String p : v.split(",")) {
            String n = p.trim().toUpperCase(Locale.ROOT);
            try {
                list.add(ExecutionProvider.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--provider: expected a list of tensorrt, cuda, cpu, found '" + p.trim() + "'");
            }
        }
        return List.copyOf(list);
    }

    private static int integer(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected a whole number, found '" + v + "'");
        }
    }

    private static int positiveInt(String flag, String v) {
        int n = integer(flag, v);
        if (n < 1) {
            throw new IllegalArgumentException(flag + ": expected 1 or more, found " + v);
        }
        return n;
    }

    private static double positiveDouble(String flag, String v) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected a number, found '" + v + "'");
        }
        if (!(d > 0)) {
            throw new IllegalArgumentException(flag + ": expected a number above 0, found " + v);
        }
        return d;
    }
}
