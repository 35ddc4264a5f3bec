package io.edgekd.examples.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * An input named the way NVIDIA's jetson-inference names them (its {@code videoSource}): {@code csi://0},
 * {@code v4l2:///dev/video0} or {@code /dev/video0}, {@code file://video.mp4} or a plain path, {@code file://dir/}
 * or a folder of pictures, {@code rtsp://user:pass@host:port/path} (and the other network protocols FFmpeg reads:
 * {@code rtsps}, {@code rtmp}, {@code http}, {@code https}, {@code udp}, {@code rtp}, {@code tcp}).
 *
 * <p>Credentials ({@code user:pass@}) are kept apart from the printable form: {@link #toString()} and
 * {@link #redact(String)} never show them; only {@link #connectUrl()} carries them, for FFmpeg.
 *
 * <p>Thread safety: immutable.
 */
public final class SourceUri {
    /** What kind of input a URI names. */
    public enum Kind {
        /** A MIPI CSI camera on a Jetson, read through GStreamer's {@code nvarguscamerasrc}. */
        CSI,
        /** A V4L2 camera (USB webcam, Raspberry Pi camera through the libcamera V4L2 compatibility layer). */
        V4L2,
        /** A video file. */
        FILE,
        /** A folder of pictures, read in name order. */
        IMAGE_FOLDER,
        /** A network stream. */
        NETWORK
    }

    private final Kind kind;
    private final String location;
    private final String credentials;
    private final int sensorId;

    private SourceUri(Kind kind, String location, String credentials, int sensorId) {
        this.kind = kind;
        this.location = location;
        this.credentials = credentials;
        this.sensorId = sensorId;
    }

    /**
     * Parses an input URI; {@code null} or empty means {@code csi://0}, jetson-inference's default.
     *
     * @param uri the URI or path
     * @param fallbackCredentials {@code user:pass} for a network URI that carries none (from an environment
     *                            variable or a file), or null
     * @return the parsed input
     * @throws IllegalArgumentException with the expected forms when the URI matches none (credentials redacted)
     */
    public static SourceUri parse(String uri, String fallbackCredentials) {
        if (uri == null || uri.isBlank()) {
            return new SourceUri(Kind.CSI, "0", null, 0);
        }
        String u = uri.trim();
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("csi://")) {
            String id = u.substring("csi://".length());
            try {
                int n = Integer.parseInt(id);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return new SourceUri(Kind.CSI, id, null, n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("input " + u + ": expected csi://N with a sensor number such as csi://0, found '" + id + "'");
            }
        }
        if (lower.startsWith("v4l2://")) {
            String dev = u.substring("v4l2://".length());
            if (!dev.startsWith("/")) {
                throw new IllegalArgumentException("input " + u + ": expected v4l2:///dev/videoN (three slashes), found '" + dev + "'");
            }
            return new SourceUri(Kind.V4L2, dev, null, -1);
        }
        if (lower.startsWith("/dev/video")) {
            return new SourceUri(Kind.V4L2, u, null, -1);
        }
        if (lower.startsWith("file://")) {
            String p = u.substring("file://".length());
            if (p.isEmpty()) {
                throw new IllegalArgumentException("input " + u + ": expected file://video.mp4 or file://folder/, found no path");
            }
            return fileOrFolder(p);
        }
        int scheme = u.indexOf("://");
        if (scheme > 0) {
            String s = lower.substring(0, scheme);
            if (!s.matches("rtsps?|rtmps?|https?|udp|rtp|tcp|srt")) {
                String printable = redactUserInfo(u);
                throw new IllegalArgumentException("input " + printable + ": expected csi://N, v4l2:///dev/videoN, /dev/videoN, "
                        + "file://PATH, a path, or rtsp://host:port/path, found the scheme '" + s + "'");
            }
            int hostStart = scheme + 3;
            int slash = u.indexOf('/', hostStart);
            int authorityEnd = slash < 0 ? u.length() : slash;
            int at = u.lastIndexOf('@', authorityEnd - 1);
            String creds = null;
            String bare = u;
            if (at >= hostStart) {
                creds = u.substring(hostStart, at);
                bare = u.substring(0, hostStart) + u.substring(at + 1);
            } else if (fallbackCredentials != null && !fallbackCredentials.isBlank()) {
                creds = fallbackCredentials.strip();
            }
            return new SourceUri(Kind.NETWORK, bare, creds, -1);
        }
        return fileOrFolder(u);
    }

    private static SourceUri fileOrFolder(String p) {
        boolean folder = p.endsWith("/") || Files.isDirectory(Path.of(p));
        return new SourceUri(folder ? Kind.IMAGE_FOLDER : Kind.FILE, p, null, -1);
    }

    private static String redactUserInfo(String u) {
        int scheme = u.indexOf("://");
        int slash = u.indexOf('/', scheme + 3);
        int end = slash < 0 ? u.length() : slash;
        int at = u.lastIndexOf('@', end - 1);
        return at > scheme ? u.substring(0, scheme + 3) + "***@" + u.substring(at + 1) : u;
    }

    /** @return the kind of input */
    public Kind kind() {
        return kind;
    }

    /** @return the device path, file path, sensor number or URL without credentials */
    public String location() {
        return location;
    }

    /** @return the CSI sensor number, or -1 for other kinds */
    public int sensorId() {
        return sensorId;
    }

    /** @return whether credentials travel with this URI */
    public boolean hasCredentials() {
        return credentials != null;
    }

    /** @return the URL FFmpeg opens, credentials included: never print it */
    public String connectUrl() {
        if (credentials == null) {
            return location;
        }
        int hostStart = location.indexOf("://") + 3;
        return location.substring(0, hostStart) + credentials + "@" + location.substring(hostStart);
    }

    /**
     * Removes this URI's credentials from a message (FFmpeg's errors quote the URL they were given).
     *
     * @param text any text
     * @return the text with the credentials and the full URL replaced
     */
    public String redact(String text) {
        if (text == null || credentials == null) {
            return text;
        }
        String t = text.replace(connectUrl(), toString());
        t = t.replace(credentials, "***");
        int colon = credentials.indexOf(':');
        if (colon >= 0 && credentials.length() - colon > 3) {
            t = t.replace(credentials.substring(colon + 1), "***");
        }
        return t;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CSI -> "csi://" + location;
            case V4L2 -> "v4l2://" + location;
            case FILE, IMAGE_FOLDER -> "file://" + location;
            case NETWORK -> credentials == null ? location
                    : location.substring(0, location.indexOf("://") + 3) + "***@" + location.substring(location.indexOf("://") + 3);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceUri s && s.kind == kind && s.location.equals(location) && Objects.equals(s.credentials, credentials);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, location);
    }
}
