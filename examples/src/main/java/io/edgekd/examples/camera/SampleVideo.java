package io.edgekd.examples.camera;

import io.edgekd.core.dataset.DatasetException;
import io.edgekd.core.dataset.FashionMnist;
import io.edgekd.core.dataset.ImageDataset;
import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.output.OutputException;
import io.edgekd.examples.output.OutputUri;
import io.edgekd.examples.output.VideoFileOutput;
import io.edgekd.examples.source.VideoFrame;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Makes a test video for the camera demo from Fashion-MNIST test images, for a machine without a camera:
 *
 * <pre>
 * java -cp edgekd-camera.jar io.edgekd.examples.camera.SampleVideo data/fashion-mnist-sample sample.mp4 [640 480 30 20]
 * java -cp edgekd-camera.jar io.edgekd.examples.camera.SampleVideo --lossless data/fashion-mnist-sample sample.mkv 640 480 1 40
 * </pre>
 *
 * Arguments: the Fashion-MNIST folder, the video file, then width, height, frames per picture and pictures
 * (defaults 640, 480, 30, 20). Each picture is scaled up (bilinear) to the frame's height, centred on black,
 * and held for the given number of frames; the true labels are printed in order. The video is H.264 (as
 * {@link VideoFileOutput#open}); with {@code --lossless} it is FFV1 in Matroska ({@link VideoFileOutput#openLossless}),
 * whose decoded frames are the drawn bytes exactly, so that runs on different machines classify the same pixels.
 *
 * <p>Thread safety: a program; not for concurrent use.
 */
public final class SampleVideo {
    private SampleVideo() {
    }

    /**
     * @param args [--lossless] folder, video file, [width height framesPerPicture pictures]
     */
    public static void main(String[] args) {
        boolean lossless = args.length > 0 && args[0].equals("--lossless");
        if (lossless) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length < 2 || args.length > 6) {
            System.err.println("usage: SampleVideo [--lossless] FASHION_MNIST_DIR OUT.mp4|OUT.mkv [WIDTH HEIGHT FRAMES_PER_PICTURE PICTURES]");
            System.exit(2);
        }
        int w = args.length > 2 ? Integer.parseInt(args[2]) : 640;
        int h = args.length > 3 ? Integer.parseInt(args[3]) : 480;
        int hold = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int count = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        try {
            ImageDataset test = FashionMnist.load(Path.of(args[0]), FashionMnist.Part.TEST);
            write(test, Path.of(args[1]), w, h, hold, Math.min(count, test.size()), lossless);
        } catch (DatasetException | OutputException e) {
            System.err.println("SampleVideo: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * @param data     gray images
     * @param out      the video file
     * @param w        frame width
     * @param h        frame height
     * @param hold     frames per picture
     * @param pictures how many pictures, from the first, one per class in turn
     * @throws OutputException if the video cannot be written
     */
    public static void write(ImageDataset data, Path out, int w, int h, int hold, int pictures) throws OutputException {
        write(data, out, w, h, hold, pictures, false);
    }

    /**
     * @param data     gray images
     * @param out      the video file ({@code .mkv} when lossless)
     * @param w        frame width
     * @param h        frame height
     * @param hold     frames per picture
     * @param pictures how many pictures, from the first, one per class in turn
     * @param lossless FFV1 in Matroska instead of H.264
     * @throws OutputException if the video cannot be written
     */
    public static void write(ImageDataset data, Path out, int w, int h, int hold, int pictures, boolean lossless) throws OutputException {
        int stride = w * 3;
        VideoFrame frame = new VideoFrame(stride * h);
        int side = data.width();
        byte[] img = new byte[data.imageBytes()];
        // Where the search for each class's next picture starts: the k-th picture of a class is its k-th image.
        int[] cursor = new int[data.numClasses()];
        OutputUri uri = OutputUri.parse("file://" + out.toAbsolutePath());
        try (VideoFileOutput video = lossless ? VideoFileOutput.openLossless(uri, w, h, 30) : VideoFileOutput.open(uri, w, h, 30)) {
            for (int p = 0; p < pictures; p++) {
                // One picture of each class in turn, so a short video shows every class.
                int wanted = p % data.numClasses();
                int i = cursor[wanted];
                for (int tried = 0; data.label(i) != wanted; tried++) {
                    if (tried == data.size()) {
                        throw new IllegalArgumentException("data: expected an image of every class, found none of class "
                                + data.classes().get(wanted));
                    }
                    i = (i + 1) % data.size();
                }
                cursor[wanted] = (i + 1) % data.size();
                data.copyImage(i, img, 0);
                draw(frame.ensureCapacity(stride * h), img, side, w, h);
                frame.describe(w, h, stride, PixelFormat.BGR24);
                for (int k = 0; k < hold; k++) {
                    video.write(frame);
                }
                System.out.println(p + ": " + data.classes().get(data.label(i)) + " (test image " + i + ")");
            }
        }
    }

    /** Draws one picture into a frame; package-private for the test that compares decoded frames with it. */
    static void draw(ByteBuffer dst, byte[] img, int side, int w, int h) {
        int x0 = (w - h) / 2;
        for (int y = 0; y < h; y++) {
            double sy = (y + 0.5) * side / h - 0.5;
            for (int x = 0; x < w; x++) {
                int v = 0;
                int xx = x - x0;
                if (xx >= 0 && xx < h) {
                    double sx = (xx + 0.5) * side / h - 0.5;
                    v = (int) Math.round(bilinear(img, side, sx, sy));
                }
                int p = (y * w + x) * 3;
                dst.put(p, (byte) v).put(p + 1, (byte) v).put(p + 2, (byte) v);
            }
        }
    }

    private static double bilinear(byte[] img, int side, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fy) * ((1 - fx) * at(img, side, x0, y0) + fx * at(img, side, x0 + 1, y0))
                + fy * ((1 - fx) * at(img, side, x0, y0 + 1) + fx * at(img, side, x0 + 1, y0 + 1));
    }

    private static int at(byte[] img, int side, int x, int y) {
        int cx = Math.max(0, Math.min(side - 1, x));
        int cy = Math.max(0, Math.min(side - 1, y));
        return img[cy * side + cx] & 0xff;
    }
}
