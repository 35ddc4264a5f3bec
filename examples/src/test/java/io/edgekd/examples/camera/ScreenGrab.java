package io.edgekd.examples.camera;

import javax.imageio.ImageIO;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.io.File;

/** Test helper run in a child JVM on the Xvfb display: saves a screenshot of the whole screen as PNG. */
public final class ScreenGrab {
    private ScreenGrab() {
    }

    /** @param args the PNG to write */
    public static void main(String[] args) throws Exception {
        Rectangle r = GraphicsEnvironment.getLocalGraphicsEnvironment().getDefaultScreenDevice().getDefaultConfiguration().getBounds();
        BufferedImage img = new Robot().createScreenCapture(r);
        ImageIO.write(img, "png", new File(args[0]));
    }
}
