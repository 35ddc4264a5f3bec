package io.edgekd.train.experiment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process, for {@link ExperimentSharingTest}: holds an exclusive lock on the file named by its argument,
 * says "locked" on standard output, and keeps the lock until its standard input ends. With a second argument
 * {@code try} it only tries: says "locked" or "busy" and ends.
 */
public final class LockHolder {
    private LockHolder() {
    }

    /**
     * @param args the file to lock, and optionally {@code try}
     * @throws IOException if it cannot be locked
     */
    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (args.length > 1 && args[1].equals("try")) {
                System.out.println(ch.tryLock() == null ? "busy" : "locked");
                return;
            }
            ch.lock();
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our input (or dies)
            }
        }
    }
}
