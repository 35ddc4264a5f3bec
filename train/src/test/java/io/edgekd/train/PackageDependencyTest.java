package io.edgekd.train;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The train module's packages import one another one way only: this reads every main source file's imports (and
 * fully qualified references) and fails on any cycle between packages, naming it. The layering it keeps, bottom
 * to top: backend, loss, network, model, data, report, eval, training, distill, export, experiment, cli.
 */
class PackageDependencyTest {
    private static final String ROOT = "io.edgekd.train";
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.edgekd\\.train\\.([a-z]+)\\.[A-Z]");

    static Map<String, Set<String>> dependencies() throws IOException {
        Path src = Path.of(System.getProperty("user.dir")).resolve("src/main/java/io/edgekd/train");
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = src.relativize(f);
                if (rel.getNameCount() < 2) {
                    continue; // the root package-info
                }
                String pkg = rel.getName(0).toString();
                Set<String> d = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                String text = stripComments(Files.readString(f, StandardCharsets.UTF_8));
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        d.add(m.group(1));
                    }
                }
            }
        }
        return deps;
    }

    /**
     * Javadoc may mention any package ({@code io.edgekd.train.x.Y} as a pointer for readers), and a string may hold a
     * class name (the old names of moved classes); only code counts.
     */
    private static String stripComments(String s) {
        return s.replaceAll("\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"").replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    @Test
    void packagesImportEachOtherOneWayOnly() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.size() >= 10, "expected the train packages, found " + deps.keySet());
        List<List<String>> cycles = new ArrayList<>();
        for (String start : deps.keySet()) {
            findCycle(deps, start, start, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles in " + ROOT + " (each listed from its alphabetically first package): " + deps);
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> deps = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        List<List<String>> cycles = new ArrayList<>();
        for (String start : new TreeSet<>(deps.keySet())) {
            findCycle(deps, start, start, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertEquals(List.of(List.of("a", "b", "c", "a")), cycles);
    }

    private static void findCycle(Map<String, Set<String>> deps, String start, String at, List<String> path, Set<String> seen,
                                  List<List<String>> cycles) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> c = new ArrayList<>(path);
                c.add(start);
                // Report each cycle once: from its smallest member.
                if (path.stream().allMatch(p -> p.compareTo(start) >= 0) && !cycles.contains(c)) {
                    cycles.add(c);
                }
            } else if (next.compareTo(start) > 0 && seen.add(next)) {
                path.add(next);
                findCycle(deps, start, next, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
