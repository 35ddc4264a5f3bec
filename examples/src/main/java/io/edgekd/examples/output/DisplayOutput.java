package io.edgekd.examples.output;

import io.edgekd.core.image.PixelFormat;
import io.edgekd.examples.source.VideoFrame;

import java.awt.AWTError;
import java.awt.Canvas;
import java.awt.Dimension;
import java.awt.Frame;
import java.awt.Graphics;
import java.awt.GraphicsDevice;
import java.awt.GraphicsEnvironment;
import java.awt.HeadlessException;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferStrategy;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.awt.EventQueue;

/**
 * {@code display://N}: a plain AWT window on screen N showing each frame with its overlay. Each frame is copied
 * into one preallocated {@link BufferedImage} (the window needs heap pixels) and drawn by the frame loop's own
 * thread through a {@link BufferStrategy}, scaled to the window. Closing the window asks the loop to stop.
 *
 * <p>Thread safety: {@link #write(VideoFrame)} and {@link #close()} from the frame loop's thread;
 * {@link #stopRequested()} from any.
 */
public final class DisplayOutput implements FrameOutput {
    private final OutputUri uri;
    private final Frame window;
    private final Canvas canvas;
    private BufferedImage image;
    private byte[] raster;
    private BufferStrategy strategy;
    private volatile boolean closeRequested;
    private boolean closed;

    private DisplayOutput(OutputUri uri, Frame window, Canvas canvas) {
        this.uri = uri;
        this.window = window;
        this.canvas = canvas;
    }

    /**
     * Opens the window.
     *
     * @param uri    a {@link OutputUri.Kind#DISPLAY} output
     * @param title  the window's title
     * @param width  frame width (the window's initial size, at most the screen's)
     * @param height frame height
     * @return the output
     * @throws OutputException when there is no display (no {@code DISPLAY}, a headless JVM) or no such screen
     */
    public static DisplayOutput open(OutputUri uri, String title, int width, int height) throws OutputException {
        if (GraphicsEnvironment.isHeadless()) {
            throw new OutputException(uri + ": no display (DISPLAY is " + (System.getenv("DISPLAY") == null ? "not set" : System.getenv("DISPLAY"))
                    + " or the JVM is headless); use --headless or a file:// output");
        }
        DisplayOutput[] made = new DisplayOutput[1];
        OutputException[] failed = new OutputException[1];
        try {
            EventQueue.invokeAndWait(() -> {
                try {
                    GraphicsDevice[] screens = GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices();
                    int n = Integer.parseInt(uri.location());
                    if (n >= screens.length) {
                        failed[0] = new OutputException(uri + ": expected a screen from 0 to " + (screens.length - 1) + ", found " + n);
                        return;
                    }
                    Frame w = new Frame(title, screens[n].getDefaultConfiguration());
                    Canvas c = new Canvas();
                    java.awt.Rectangle bounds = screens[n].getDefaultConfiguration().getBounds();
                    c.setPreferredSize(new Dimension(Math.min(width, bounds.width), Math.min(height, bounds.height)));
                    c.setIgnoreRepaint(true);
                    w.add(c);
                    w.pack();
                    w.setLocation(bounds.x, bounds.y);
                    DisplayOutput d = new DisplayOutput(uri, w, c);
                    w.addWindowListener(new WindowAdapter() {
                        @Override
                        public void windowClosing(WindowEvent e) {
                            d.closeRequested = true;
                        }
                    });
                    w.setVisible(true);
                    c.createBufferStrategy(2);
                    d.strategy = c.getBufferStrategy();
                    made[0] = d;
                } catch (HeadlessException | AWTError e) {
                    failed[0] = new OutputException(uri + ": cannot open a window (" + e.getMessage() + "); use --headless or a file:// output", e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutputException(uri + ": interrupted while opening the window", e);
        } catch (InvocationTargetException e) {
            throw new OutputException(uri + ": cannot open a window (" + e.getCause() + ")", e.getCause());
        } catch (HeadlessException | AWTError e) {
            throw new OutputException(uri + ": cannot open a window (" + e.getMessage() + "); use --headless or a file:// output", e);
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return made[0];
    }

    @Override
    public void write(VideoFrame frame) {
        if (closed) {
            throw new IllegalStateException(uri + " is closed");
        }
        int w = frame.width();
        int h = frame.height();
        if (image == null || image.getWidth() != w || image.getHeight() != h) {
            image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            raster = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        }
        copy(frame, raster);
        Graphics g = strategy.getDrawGraphics();
        try {
            g.drawImage(image, 0, 0, canvas.getWidth(), canvas.getHeight(), null);
        } finally {
            g.dispose();
        }
        strategy.show();
    }

    private static void copy(VideoFrame frame, byte[] raster) {
        ByteBuffer px = frame.pixels();
        int w = frame.width();
        int h = frame.height();
        int stride = frame.stride();
        PixelFormat f = frame.format();
        if (f == PixelFormat.BGR24) {
            for (int y = 0; y < h; y++) {
                px.get(y * stride, raster, y * w * 3, w * 3);
            }
            return;
        }
        int bpp = f.bytesPerPixel();
        for (int y = 0; y < h; y++) {
            int s = y * stride;
            int d = y * w * 3;
            for (int x = 0; x < w; x++, s += bpp, d += 3) {
                if (bpp == 1) {
                    byte v = px.get(s);
                    raster[d] = v;
                    raster[d + 1] = v;
                    raster[d + 2] = v;
                } else {
                    raster[d] = px.get(s + f.blueOffset());
                    raster[d + 1] = px.get(s + f.greenOffset());
                    raster[d + 2] = px.get(s + f.redOffset());
                }
            }
        }
    }

    @Override
    public boolean stopRequested() {
        return closeRequested;
    }

    /** @return the window, for screenshots in tests */
    Frame window() {
        return window;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        EventQueue.invokeLater(window::dispose);
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
