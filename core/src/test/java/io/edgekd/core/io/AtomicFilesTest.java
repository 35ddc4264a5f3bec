package io.edgekd.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplaces() throws IOException {
        Path file = dir.resolve("report.md");
        AtomicFiles.writeString(file, "first");
        assertEquals("first", Files.readString(file));
        AtomicFiles.writeString(file, "second, longer ü");
        assertEquals("second, longer ü", Files.readString(file));
        assertEquals(List.of("report.md"), names());
    }

    @Test
    void theTargetIsNotVisibleUntilTheContentIsComplete() throws IOException {
        Path file = dir.resolve("model.onnx");
        AtomicFiles.write(file, tmp -> {
            Files.write(tmp, new byte[]{1, 2, 3});
            assertFalse(Files.exists(file), "published before the content was complete");
            assertEquals(dir, tmp.getParent(), "the temporary file must lie beside the target so the move is atomic");
        });
        assertEquals(3, Files.size(file));
    }

    @Test
    void aFailingContentLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.onnx");
        AtomicFiles.writeString(file, "good");
        TimeoutException failure = new TimeoutException("check failed");
        TimeoutException thrown = assertThrows(TimeoutException.class, () -> AtomicFiles.write(file, tmp -> {
            Files.writeString(tmp, "half");
            throw failure;
        }));
        assertSame(failure, thrown);
        assertEquals("good", Files.readString(file));
        assertEquals(List.of("model.onnx"), names());

        assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("new.bin"), tmp -> {
            throw new IOException("disk full");
        }));
        assertEquals(List.of("model.onnx"), names());
    }

    @Test
    void aMissingFolderIsAnError() {
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.writeString(dir.resolve("missing/report.md"), "x"));
        assertTrue(Files.notExists(dir.resolve("missing")));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
