/**
 * The examples a dev-mode server serves at {@code /examples/}: plain pages using {@code @herald/client}, built
 * into the jar by {@code examples/build.mjs}. Entry type: {@link io.herald.server.examples.ExamplesPage}.
 */
package io.herald.server.examples;
