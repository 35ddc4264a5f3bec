package io.edgekd.train.cli;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code --version}: the jar's implementation version, or "development" outside a jar. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = EdgekdTrain.class.getPackage().getImplementationVersion();
        return new String[] {"edgekd-train " + (v == null ? "development build" : v)};
    }
}
