package io.edgekd.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file through a temporary sibling ({@code .NAME*.tmp} in the same folder) and moves it into place only
 * when the content is complete: readers see the old file or the new one, never a part. The move is atomic where
 * the file system allows it (a replace otherwise); the temporary file is removed whatever happens.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("model.onnx"), tmp -> {
 *     Files.write(tmp, bytes);
 *     check(tmp);                 // throw to leave model.onnx as it was
 * });
 * }</pre>
 *
 * <p>Thread safety: stateless; two writers of one file race, and the last move wins.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Fills a temporary file and publishes it.
     *
     * @param <E> what the content may throw besides {@link IOException}
     */
    @FunctionalInterface
    public interface Content<E extends Exception> {
        /**
         * @param temporary an empty file in the target's folder; write the whole content into it
         * @throws IOException if writing fails
         * @throws E           to abandon the write (the target stays as it was)
         */
        void writeTo(Path temporary) throws IOException, E;
    }

    /**
     * @param <E>     what the content may throw besides {@link IOException}
     * @param file    target; its folder must exist
     * @param content writes the content into the temporary file
     * @throws IOException if the temporary file cannot be made, written or moved
     * @throws E           if the content throws it; the target is then untouched
     */
    public static <E extends Exception> void write(Path file, Content<E> content) throws IOException, E {
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            content.writeTo(tmp);
            moveIntoPlace(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param file target; its folder must exist
     * @param text written as UTF-8
     * @throws IOException if it cannot be written
     */
    public static void writeString(Path file, String text) throws IOException {
        write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /**
     * Moves a complete file over the target, atomically where the file system can.
     *
     * @param source a complete file, normally in the target's folder
     * @param target where it goes; replaced if present
     * @throws IOException if the move fails
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
