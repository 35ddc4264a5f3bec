/** Small programs on the edge runtime. */
package io.edgekd.examples;
