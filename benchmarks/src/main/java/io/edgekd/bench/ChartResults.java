package io.edgekd.bench;

import io.edgekd.train.report.Charts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws a JMH result file ({@code -rf json}) as a bar chart, one bar per benchmark and parameter set.
 *
 * <pre>
 *   benchmarks/run.sh EdgeClassifierBenchmark -rf json -rff target/edge.json
 *   java -cp ... io.edgekd.bench.ChartResults target/edge.json target/edge.png "edge runtime, student, 1 thread"
 * </pre>
 */
public final class ChartResults {
    private static final Pattern ENTRY = Pattern.compile(
            "\"benchmark\"\\s*:\\s*\"([^\"]+)\".*?(?:\"params\"\\s*:\\s*\\{([^}]*)\\}.*?)?\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.eE+-]+),"
                    + ".*?\"scoreUnit\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);

    private ChartResults() {
    }

    /**
     * @param args JMH JSON file, PNG file, title
     * @throws Exception if a file cannot be read or written
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ChartResults RESULT.json OUT.png [TITLE]");
            System.exit(2);
        }
        String json = Files.readString(Path.of(args[0]));
        Map<String, Double> values = new LinkedHashMap<>();
        String unit = "";
        for (String entry : json.split("\\n    \\{")) {
            Matcher m = ENTRY.matcher(entry);
            if (m.find()) {
                String name = m.group(1).substring(m.group(1).lastIndexOf('.') + 1);
                String params = m.group(2) == null ? "" : m.group(2).replaceAll("[\"\\s]", "");
                double score = Double.parseDouble(m.group(3));
                values.put(params.isEmpty() ? name : name + " (" + params + ")", Math.round(score * 10) / 10.0);
                unit = m.group(4);
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(args[0] + ": expected JMH JSON results, found no benchmark entries");
        }
        Charts.bars(args.length > 2 ? args[2] : "JMH results", unit, values, Path.of(args[1]));
        System.out.println("wrote " + args[1] + " (" + values.size() + " bars)");
    }
}
