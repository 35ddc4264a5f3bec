/**
 * A compatibility class placed in ND4J's own package so that Deeplearning4j M2.1 finds it by name; see
 * {@link org.nd4j.nativeblas.Nd4jCpu}.
 */
package org.nd4j.nativeblas;
