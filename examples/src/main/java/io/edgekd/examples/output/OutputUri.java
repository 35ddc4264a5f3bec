package io.edgekd.examples.output;

import java.util.Locale;

/**
 * An output named as jetson-inference's {@code videoOutput} names them: {@code display://0} (a window on screen
 * N), {@code file://out.mp4} (also {@code .mkv}, {@code .avi}), {@code file://frame_%i.jpg} (numbered pictures:
 * {@code %i} or printf-style {@code %d}/{@code %05d}; {@code .jpg}, {@code .png}), or a plain path.
 *
 * <p>Thread safety: immutable.
 *
 * @param kind     what the output is
 * @param location the screen number or the file path (for pictures, with FFmpeg's {@code %d})
 */
public record OutputUri(Kind kind, String location) {
    /** What kind of output. */
    public enum Kind {
        /** A window. */
        DISPLAY,
        /** A video file. */
        VIDEO_FILE,
        /** Numbered picture files. */
        PICTURES
    }

    /**
     * @param uri the URI or path
     * @return the output
     * @throws IllegalArgumentException with the expected forms
     */
    public static OutputUri parse(String uri) {
        String u = uri.trim();
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("display://")) {
            String n = u.substring("display://".length());
            if (!n.matches("\\d+")) {
                throw new IllegalArgumentException("output " + u + ": expected display://N such as display://0, found '" + n + "'");
            }
            return new OutputUri(Kind.DISPLAY, n);
        }
        String p = lower.startsWith("file://") ? u.substring("file://".length()) : u;
        if (p.contains("://")) {
            throw new IllegalArgumentException("output " + u + ": expected display://N, file://out.mp4, file://frame_%i.jpg or a path");
        }
        String pl = p.toLowerCase(Locale.ROOT);
        if (p.contains("%")) {
            if (!(pl.endsWith(".jpg") || pl.endsWith(".jpeg") || pl.endsWith(".png"))) {
                throw new IllegalArgumentException("output " + u + ": numbered pictures must end in .jpg, .jpeg or .png");
            }
            String ffmpeg = p.replace("%i", "%d");
            if (!ffmpeg.matches(".*%0?\\d*d.*") || ffmpeg.indexOf('%') != ffmpeg.lastIndexOf('%')) {
                throw new IllegalArgumentException("output " + u + ": expected one number pattern such as %i, %d or %05d, found '" + p + "'");
            }
            return new OutputUri(Kind.PICTURES, ffmpeg);
        }
        if (pl.endsWith(".mp4") || pl.endsWith(".mkv") || pl.endsWith(".avi") || pl.endsWith(".mov")) {
            return new OutputUri(Kind.VIDEO_FILE, p);
        }
        throw new IllegalArgumentException("output " + u + ": expected a video file (.mp4, .mkv, .avi, .mov), numbered pictures "
                + "(frame_%i.jpg) or display://0");
    }

    @Override
    public String toString() {
        return kind == Kind.DISPLAY ? "display://" + location : "file://" + location;
    }
}
