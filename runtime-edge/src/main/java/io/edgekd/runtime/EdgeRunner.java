package io.edgekd.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgekd.core.classify.Classification;
import io.edgekd.core.classify.Softmax;
import io.edgekd.core.image.FramePreprocessor;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.core.spec.InputForm;
import io.edgekd.core.spec.ModelSpec;
import io.edgekd.core.spec.OutputKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one model for one thread: its own input and output tensors over direct native-order buffers, created
 * once, and a preprocessor. Frames go into batch slots, {@link #run()} runs the session with pinned outputs,
 * and results are read into caller-owned {@link Classification} objects. Nothing of ours is allocated per
 * frame; ONNX Runtime's Java binding allocates about 0.4 KB per run for its own bookkeeping.
 *
 * <pre>{@code
 * try (EdgeRunner runner = classifier.newRunner(8)) {            // batch of 8, for this thread
 *     for (int i = 0; i < 8; i++) runner.put(i, frames[i], 640, 480, PixelFormat.BGR24);
 *     runner.run();
 *     for (int i = 0; i < 8; i++) runner.result(i, results[i]);
 * }
 * }</pre>
 *
 * <p>Thread safety: not thread-safe; use a runner from one thread at a time. Runners of the same classifier
 * may run concurrently on different threads (they share the session, which allows that). Ownership: the
 * runner owns its tensors and buffers; the views it returns ({@link #probabilities()}, {@link #inputFloats()},
 * {@link #inputBytes()}) are valid until it is closed. Closing the classifier closes its runners.
 */
public final class EdgeRunner implements AutoCloseable {
    /** Runners whose tensors are not freed yet, in this JVM: what leak tests count. */
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final EdgeClassifier owner;
    private final OrtSession session;
    private final int batch;
    private final int numClasses;
    private final List<String> labels;
    /** Whether classify(...) may use this runner: batch 1, or the batch the graph is fixed to (slot 0 is used). */
    private final boolean singleFrame;
    private final int imageValues;
    private final boolean fused;
    private final boolean logits;
    private final int width;
    private final int height;
    private final PixelFormat nativeFormat;
    private final FramePreprocessor preprocessor;
    private final FloatBuffer inputFloats;
    private final ByteBuffer inputBytes;
    private final FloatBuffer output;
    private final FloatBuffer outputView;
    /** What inputFloats()/inputBytes() return: made once, reset on each call (no allocation per frame). */
    private final FloatBuffer inputFloatsView;
    private final ByteBuffer inputBytesView;
    private final OnnxTensor inputTensor;
    private final OnnxTensor outputTensor;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> pinned;
    private boolean closed;

    EdgeRunner(EdgeClassifier owner, OrtEnvironment env, OrtSession session, ModelSpec spec, int batch) throws OrtException {
        this.owner = owner;
        this.session = session;
        this.batch = batch;
        this.numClasses = spec.numClasses();
        this.labels = spec.labels();
        this.singleFrame = batch == 1 || batch == owner.fixedBatchSize();
        this.imageValues = spec.imageSize();
        this.fused = spec.inputForm() == InputForm.UINT8_NHWC;
        this.logits = spec.outputKind() == OutputKind.LOGITS;
        this.width = spec.width();
        this.height = spec.height();
        this.nativeFormat = PixelFormat.packed(spec.pixelOrder());
        this.preprocessor = new FramePreprocessor(spec);
        long[] inShape = spec.inputTensorShape(batch);
        OnnxTensor in = null;
        OnnxTensor out = null;
        try {
            if (fused) {
                inputBytes = ByteBuffer.allocateDirect(batch * imageValues).order(ByteOrder.nativeOrder());
                inputFloats = null;
                in = OnnxTensor.createTensor(env, inputBytes, inShape, OnnxJavaType.UINT8);
            } else {
                inputFloats = ByteBuffer.allocateDirect(4 * batch * imageValues).order(ByteOrder.nativeOrder()).asFloatBuffer();
                inputBytes = null;
                in = OnnxTensor.createTensor(env, inputFloats, inShape);
            }
            output = ByteBuffer.allocateDirect(4 * batch * numClasses).order(ByteOrder.nativeOrder()).asFloatBuffer();
            out = OnnxTensor.createTensor(env, output, new long[] {batch, numClasses});
        } catch (OrtException | RuntimeException e) {
            if (in != null) {
                in.close();
            }
            throw e;
        }
        this.outputView = output.asReadOnlyBuffer();
        this.inputFloatsView = inputFloats == null ? null : inputFloats.duplicate();
        this.inputBytesView = inputBytes == null ? null : inputBytes.duplicate().order(ByteOrder.nativeOrder());
        this.inputTensor = in;
        this.outputTensor = out;
        this.inputs = Map.of(spec.inputName(), in);
        this.pinned = Map.of(spec.outputName(), out);
        OPEN.incrementAndGet();
    }

    /** @return how many runners in this JVM hold tensors that are not freed yet */
    static int openRunners() {
        return OPEN.get();
    }

    /** @return images per run */
    public int batchSize() {
        return batch;
    }

    /**
     * Preprocesses a frame into batch slot {@code slot}.
     *
     * @param slot      0 to {@link #batchSize()}-1
     * @param frame     packed pixels
     * @param offset    index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @throws IllegalArgumentException if the frame's size, stride or byte count is inconsistent
     */
    public void put(int slot, byte[] frame, int offset, int width, int height, int rowStride, PixelFormat format) {
        checkSlot(slot);
        if (fused) {
            int bytes = imageValues;
            if (format == nativeFormat && width == this.width && height == this.height && rowStride == width * format.bytesPerPixel()
                    && offset >= 0 && (long) offset + bytes <= frame.length) {
                inputBytes.put(slot * bytes, frame, offset, bytes);
            } else {
                preprocessor.toUint8Nhwc(frame, offset, width, height, rowStride, format, inputBytes, slot * bytes);
            }
        } else {
            preprocessor.toFloatNchw(frame, offset, width, height, rowStride, format, inputFloats, slot * imageValues);
        }
    }

    /**
     * As {@link #put(int, byte[], int, int, int, int, PixelFormat)} for a tightly packed frame at offset 0.
     *
     * @param slot   batch slot
     * @param frame  packed pixels, exactly {@code width * height * bytesPerPixel} or more
     * @param width  frame width
     * @param height frame height
     * @param format pixel layout
     */
    public void put(int slot, byte[] frame, int width, int height, PixelFormat format) {
        put(slot, frame, 0, width, height, format.rowBytes(width), format);
    }

    /**
     * As {@link #put(int, byte[], int, int, int, int, PixelFormat)}, reading a buffer by absolute index (its
     * position is ignored and left alone): camera frameworks hand frames over as direct buffers.
     *
     * @param slot      batch slot
     * @param frame     packed pixels
     * @param offset    absolute index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     */
    public void put(int slot, ByteBuffer frame, int offset, int width, int height, int rowStride, PixelFormat format) {
        checkSlot(slot);
        if (fused) {
            int bytes = imageValues;
            if (format == nativeFormat && width == this.width && height == this.height && rowStride == width * format.bytesPerPixel()
                    && offset >= 0 && (long) offset + bytes <= frame.limit()) {
                inputBytes.put(slot * bytes, frame, offset, bytes);
            } else {
                preprocessor.toUint8Nhwc(frame, offset, width, height, rowStride, format, inputBytes, slot * bytes);
            }
        } else {
            preprocessor.toFloatNchw(frame, offset, width, height, rowStride, format, inputFloats, slot * imageValues);
        }
    }

    /**
     * Copies one already preprocessed image (float {@code [C, H, W]}, normalised as the spec says) into a slot.
     *
     * @param slot  batch slot
     * @param image the values, read from absolute index {@code index}
     * @param index first absolute index
     * @throws IllegalStateException if the model takes uint8 frames (fused preprocessing)
     */
    public void putPreprocessed(int slot, FloatBuffer image, int index) {
        checkSlot(slot);
        if (fused) {
            throw new IllegalStateException("this model takes uint8 NHWC frames (preprocessing fused into the graph), "
                    + "expected put(...) with a frame, found a float image");
        }
        if (index < 0 || index + imageValues > image.limit()) {
            throw new IllegalArgumentException("image: expected " + imageValues + " floats from index " + index
                    + ", found limit " + image.limit());
        }
        inputFloats.put(slot * imageValues, image, index, imageValues);
    }

    /**
     * Runs the model on the current input (every slot) and, for models that output logits, applies softmax
     * in place.
     *
     * @throws IllegalStateException if the runner or its classifier is closed
     * @throws InferenceException    if ONNX Runtime fails
     */
    public void run() {
        if (closed) {
            throw new IllegalStateException("runner is closed");
        }
        owner.enter();
        try {
            // Pinned outputs are written in place; the Result owns nothing of ours, but close it all the same.
            session.run(inputs, pinned).close();
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            owner.exit();
        }
        if (logits) {
            for (int b = 0; b < batch; b++) {
                Softmax.inPlace(output, b * numClasses, numClasses);
            }
        }
    }

    /**
     * Fills {@code out} with the top classes of slot {@code slot} from the last run.
     *
     * @param slot batch slot
     * @param out  a result made for this model's labels ({@link EdgeClassifier#newResult(int)})
     * @throws IllegalArgumentException if {@code out} was made for other labels
     */
    public void result(int slot, Classification out) {
        checkSlot(slot);
        out.fill(output, slot * numClasses, labels);
    }

    /**
     * Preprocesses a frame, runs the model and fills {@code out}: the whole per-frame path, for batch-1 runners
     * and for runners of a graph whose batch size is fixed. With a fixed batch {@code N > 1} the frame goes into
     * slot 0 and the run computes all {@code N} slots (the others keep what was last put there, zeros at
     * first): {@code N} images of arithmetic per frame. To use the other slots, use put/run/result.
     *
     * @param frame  packed pixels
     * @param width  frame width
     * @param height frame height
     * @param format pixel layout
     * @param out    reusable result
     */
    public void classify(byte[] frame, int width, int height, PixelFormat format, Classification out) {
        checkSingle();
        put(0, frame, 0, width, height, format.rowBytes(width), format);
        run();
        out.fill(output, 0, labels);
    }

    /**
     * As {@link #classify(byte[], int, int, PixelFormat, Classification)} with an offset and a row stride.
     *
     * @param frame     packed pixels
     * @param offset    index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param out       reusable result
     */
    public void classify(byte[] frame, int offset, int width, int height, int rowStride, PixelFormat format, Classification out) {
        checkSingle();
        put(0, frame, offset, width, height, rowStride, format);
        run();
        out.fill(output, 0, labels);
    }

    /**
     * As {@link #classify(byte[], int, int, int, int, PixelFormat, Classification)} from a buffer.
     *
     * @param frame     packed pixels
     * @param offset    absolute index of the top-left pixel's first byte
     * @param width     frame width
     * @param height    frame height
     * @param rowStride bytes from one row to the next
     * @param format    pixel layout
     * @param out       reusable result
     */
    public void classify(ByteBuffer frame, int offset, int width, int height, int rowStride, PixelFormat format, Classification out) {
        checkSingle();
        put(0, frame, offset, width, height, rowStride, format);
        run();
        out.fill(output, 0, labels);
    }

    /**
     * Classifies an already preprocessed image (copied into the input tensor; to avoid even that copy, write
     * into {@link #inputFloats()} and call {@link #run()}).
     *
     * @param image float {@code [C, H, W]} from absolute index {@code index}
     * @param index first absolute index
     * @param out   reusable result
     */
    public void classify(FloatBuffer image, int index, Classification out) {
        checkSingle();
        putPreprocessed(0, image, index);
        run();
        out.fill(output, 0, labels);
    }

    /**
     * The input tensor's own memory, float {@code [N, C, H, W]}: write preprocessed values here (by absolute
     * index) and call {@link #run()} to classify without any copy.
     *
     * <p>Every call returns the same view object, cleared: position 0 and limit at the capacity, whatever an
     * earlier caller did with them, and nothing is allocated. So it can be called per frame; a caller that
     * keeps the view and moves its position must not rely on it across another call.
     *
     * @return a view sharing the input tensor's memory, valid until the runner is closed
     * @throws IllegalStateException for models that take uint8 frames
     */
    public FloatBuffer inputFloats() {
        if (fused) {
            throw new IllegalStateException("this model takes uint8 NHWC frames, expected inputBytes(), found a call to inputFloats()");
        }
        inputFloatsView.clear();
        return inputFloatsView;
    }

    /**
     * The input tensor's own memory for models with fused preprocessing, uint8 {@code [N, H, W, C]}, in native
     * byte order. The same view on every call, cleared, as for {@link #inputFloats()}.
     *
     * @return a view sharing the input tensor's memory, valid until the runner is closed
     * @throws IllegalStateException for models that take float input
     */
    public ByteBuffer inputBytes() {
        if (!fused) {
            throw new IllegalStateException("this model takes float NCHW input, expected inputFloats(), found a call to inputBytes()");
        }
        inputBytesView.clear();
        return inputBytesView;
    }

    /**
     * The probabilities of the last run, {@code [N, numClasses]} row-major, without a copy. Logit outputs have
     * already been through softmax.
     *
     * <p>The same view on every call, cleared (position 0, limit at the capacity), as for {@link #inputFloats()}.
     *
     * @return a read-only view over the output tensor's memory, valid until the runner is closed
     */
    public FloatBuffer probabilities() {
        outputView.clear();
        return outputView;
    }

    /**
     * Copies the probabilities of one slot from the last run (softmax already applied to logit outputs).
     *
     * @param slot      batch slot
     * @param dst       destination, room for {@code numClasses} values
     * @param dstOffset index of the first value written
     * @throws IndexOutOfBoundsException if the slot or the destination range is out of bounds
     */
    public void probabilities(int slot, float[] dst, int dstOffset) {
        checkSlot(slot);
        checkRoom(dst, dstOffset);
        output.get(slot * numClasses, dst, dstOffset, numClasses);
    }

    void checkRoom(float[] dst, int dstOffset) {
        if (dstOffset < 0 || (long) dstOffset + numClasses > dst.length) {
            throw new IndexOutOfBoundsException("dst: expected room for " + numClasses + " values from index " + dstOffset
                    + ", found length " + dst.length);
        }
    }

    /**
     * @param slot batch slot
     * @param cls  class index
     * @return the probability of {@code cls} for the image in {@code slot} from the last run
     */
    public float probability(int slot, int cls) {
        checkSlot(slot);
        if (cls < 0 || cls >= numClasses) {
            throw new IndexOutOfBoundsException("class: expected 0 to " + (numClasses - 1) + ", found " + cls);
        }
        return output.get(slot * numClasses + cls);
    }

    /** @return whether {@link #close()} has been called (directly or by closing the classifier) */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the tensors. Idempotent; safe against a concurrent close of the classifier. Must not be called while
     * another thread is inside {@link #run()} on this runner (close the classifier instead: it waits for runs).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        inputTensor.close();
        outputTensor.close();
        OPEN.decrementAndGet();
        owner.forget(this);
    }

    private void checkSlot(int slot) {
        if (closed) {
            throw new IllegalStateException("runner is closed");
        }
        if (slot < 0 || slot >= batch) {
            throw new IndexOutOfBoundsException("slot: expected 0 to " + (batch - 1) + ", found " + slot);
        }
    }

    private void checkSingle() {
        if (!singleFrame) {
            throw new IllegalStateException("classify(...) runs one frame: expected a runner of batch size 1 (or of the "
                    + "graph's fixed batch size), found " + batch + " (use put/run/result)");
        }
    }
}
